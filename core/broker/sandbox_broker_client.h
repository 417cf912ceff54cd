#pragma once
// SandboxBroker's record of one connection it serves, shared by the files that implement
// SandboxBroker (sandbox_broker.cpp, sandbox_broker_gate.cpp).

#include "sandbox_broker.h"

namespace mqs {

struct SandboxBroker::Client {
    ClientHandle handle = 0;
    QPointer<Transport> transport;
    Decoder decoder{ProtocolVersion::V311}; // a CONNECT sets the version
    ConnectionId traceId = 0;
    QString clientId;
    QString peer;
};

} // namespace mqs
