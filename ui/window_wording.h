#pragma once
// Core sentences say what went wrong and, for the command line, which option changes it
// ("Give its CA with --cafile"). In the window the same advice names the window's controls.

#include <QString>

namespace mqs {

// `sentence` with the command-line options it names replaced by the connection dialog's fields.
QString inWindowTerms(QString sentence);

} // namespace mqs
