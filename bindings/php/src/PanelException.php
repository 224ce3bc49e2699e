<?php

// PanelException.php - what a developer must fix before the binding can work: FFI not enabled, libpanelhost
// not found or too old, the preload setup missing, a config the library refuses, an enabled plugin that does
// not load (e.g. one built for another ABI major). The message is the library's (or says what to do); the
// code is the library's PANEL_E_* status when there is one, else 0. Refusals of a person's request
// (permission, validation, confirmation, state, authentication) are never exceptions: they are return values.
declare(strict_types=1);

namespace Panel;

final class PanelException extends \RuntimeException
{
}
