;;; drive.el --- drive Eglot, set up by a snippet of docs/editors.md, through what a user does -*- lexical-binding: t -*-
;; In example.py: wait for the Flymake diagnostic, ask for the hover, and apply "Disable ... for this
;; line", the quick fix and the fix-all action as `eglot-code-actions' offers them (the menu answered by
;; title); with $MPLINT_EDITOR_CODES_ONLY set, only wait for the diagnostics.  Each edit is saved (C-x C-s), which sends it to the server at once (in batch mode Emacs is
;; never idle, so the idle timer that would send it runs only then).  Writes what it saw as JSON to $MPLINT_EDITOR_RESULT, then exits (status 1 on an error).
(require 'eglot)
(require 'json)

(defvar drive-result nil)
(defvar drive-steps nil)
(defconst drive-timeout 20)

(defun drive-wait (what condition)
  (let ((deadline (+ (float-time) drive-timeout)))
    (while (and (not (funcall condition)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (unless (funcall condition) (error "timed out waiting for %s" what))
    (push what drive-steps)))

(defun drive-diagnostics ()
  (flymake-start)
  (accept-process-output nil 0.05)
  (flymake-diagnostics))

(defun drive-text () (buffer-substring-no-properties (point-min) (point-max)))

(defun drive-code-action (title &optional kind)
  "Offer the code actions at line 5 as `eglot-code-actions' does, pick the one starting with TITLE."
  (goto-char (point-min)) (forward-line 4) (forward-char 4)
  (let* ((offered nil)
         (last-nonmenu-event 1)  ; answer through `completing-read', not a popup menu
         (completing-read-function
          (lambda (_prompt collection &rest _)
            (setq offered (mapcar #'car collection))
            (or (seq-find (lambda (name) (string-prefix-p title name)) offered) ""))))
    (eglot-code-actions (line-beginning-position) (line-end-position) kind t)
    (save-buffer)
    offered))

(defun drive-undo-until-diagnosed ()
  (undo-only)
  (save-buffer)
  (drive-wait "diagnostics back" (lambda () (drive-diagnostics))))

(defun drive ()
  (find-file (expand-file-name "example.py"))
  (call-interactively #'eglot)  ; M-x eglot
  (drive-wait "server" #'eglot-current-server)
  (drive-wait "diagnostics" (lambda () (drive-diagnostics)))
  (push (cons 'codes (vconcat (mapcar (lambda (d)
                                        (plist-get (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d)))
                                                   :code))
                                      (flymake-diagnostics))))
        drive-result)
  (unless (getenv "MPLINT_EDITOR_CODES_ONLY") (drive-actions)))

(defun drive-actions ()
  (goto-char (point-min)) (forward-line 4) (forward-char 4)
  (let ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                (eglot--TextDocumentPositionParams))))
    (push (cons 'hover (plist-get (plist-get hover :contents) :value)) drive-result))
  (buffer-enable-undo)
  (undo-boundary)
  (push (cons 'offered (vconcat (drive-code-action "Disable MPL001 for this line"))) drive-result)
  (push (cons 'disabled (drive-text)) drive-result)
  (drive-wait "diagnostics cleared by noqa" (lambda () (not (drive-diagnostics))))
  (undo-boundary)
  (drive-undo-until-diagnosed)
  (undo-boundary)
  (drive-code-action "mplint (MPL001)")
  (push (cons 'quick_fixed (drive-text)) drive-result)
  (drive-wait "diagnostics cleared by quick fix" (lambda () (not (drive-diagnostics))))
  (undo-boundary)
  (drive-undo-until-diagnosed)
  (undo-boundary)
  (drive-code-action "mplint: Fix all" "source.fixAll.mplint")
  (push (cons 'fixed_all (drive-text)) drive-result))

(let ((ok (condition-case err (progn (drive) t)
            (error (push (cons 'error (error-message-string err)) drive-result) nil))))
  (push (cons 'steps (vconcat (reverse drive-steps))) drive-result)
  (with-temp-file (getenv "MPLINT_EDITOR_RESULT") (insert (json-encode drive-result)))
  (let ((server (ignore-errors (eglot-current-server))))
    (when server (ignore-errors (eglot-shutdown server))))
  (kill-emacs (if ok 0 1)))
