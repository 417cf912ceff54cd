#pragma once
// Core sentences say what went wrong and, for the command line, which option changes it
// ("Give its CA with --cafile"). In the window the same advice names the window's controls.

#include "client/connection_settings.h"

#include <QString>

namespace mqs {

// `sentence` with the command-line options it names replaced by the connection dialog's fields.
QString inWindowTerms(QString sentence);
// A packet over the connection's own limit closed it: which limit (the announced Maximum Packet
// Size or the unannounced receive limit), that the message is lost to it, and where to raise it.
QString packetTooLargeAdvice(const ConnectionSettings &settings);

} // namespace mqs
