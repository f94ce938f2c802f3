"""The open documents: their text and version, kept in step with the client's changes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.uris import to_fs_path

from mplint.server.positions import to_offset
from mplint.source import SourceText


@dataclass(frozen=True)
class Document:
    """One version of an open document. A change makes a new Document; this one never changes."""

    uri: str
    text: str
    version: int | None

    @cached_property
    def source(self) -> SourceText:
        return SourceText(self.text)

    @cached_property
    def path(self) -> str:
        """The file system path of the document, or its URI's path when it is not a file."""
        fs_path = to_fs_path(self.uri) if self.uri.startswith("file:") else None
        return fs_path if fs_path else unquote(urlparse(self.uri).path) or self.uri

    @property
    def is_file(self) -> bool:
        return self.uri.startswith("file:")


def apply_change(document: Document, change: types.TextDocumentContentChangeEvent, encoding: str) -> str:
    """The text of ``document`` after one content change (a whole text, or a range and its new text)."""
    if isinstance(change, types.TextDocumentContentChangePartial):
        source = document.source
        start = to_offset(source, change.range.start, encoding)
        end = max(start, to_offset(source, change.range.end, encoding))
        return document.text[:start] + change.text + document.text[end:]
    return change.text


@dataclass
class DocumentStore:
    """The latest version of every open document, by URI."""

    documents: dict[str, Document] = field(default_factory=dict)

    def open(self, uri: str, text: str, version: int | None) -> Document:
        document = Document(uri, text, version)
        self.documents[uri] = document
        return document

    def change(
        self,
        uri: str,
        version: int | None,
        changes: list[types.TextDocumentContentChangeEvent],
        encoding: str,
    ) -> Document | None:
        """Apply the changes in order; None (and nothing changed) when the document is not open."""
        document = self.documents.get(uri)
        if document is None:
            return None
        for change in changes:
            document = Document(uri, apply_change(document, change, encoding), version)
        document = Document(uri, document.text, version)
        self.documents[uri] = document
        return document

    def close(self, uri: str) -> Document | None:
        return self.documents.pop(uri, None)

    def get(self, uri: str) -> Document | None:
        return self.documents.get(uri)

    def __iter__(self) -> Iterator[Document]:
        return iter(list(self.documents.values()))
