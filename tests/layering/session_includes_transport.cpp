// Compiled against mqttscope_session alone, this must fail: the session layer does not link transport.
#include "session/session.h"
#include "transport/transport.h"
