#pragma once
// What to do about a problem core reports, in the window's words: core sentences say what went
// wrong; the advice names the connection dialog's controls.

#include "client/connection_settings.h"

#include <QString>

namespace mqs {

// The problem's sentence and, after a TLS problem with the broker (its certificate, the
// handshake), the dialog's TLS controls that change it.
QString withWindowAdvice(const Problem &problem);
// A packet over the connection's own limit closed it: which limit (the announced Maximum Packet
// Size or the unannounced receive limit), that the message is lost to it, and where to raise it.
QString packetTooLargeAdvice(const ConnectionSettings &settings);

} // namespace mqs
