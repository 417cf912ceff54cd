#include "tcp_transport.h"
#include "tls_configuration.h"
#include "websocket_transport.h"

namespace mqs {

Result<Transport *> createTransport(const ServerUrl &url, const TlsOptions &tls, QObject *parent)
{
    std::optional<QSslConfiguration> ssl;
    if (url.isTls()) {
        auto config = makeSslConfiguration(tls);
        if (!config)
            return config.problem();
        ssl = *config;
    }
    if (url.isWebSocket())
        return static_cast<Transport *>(new WebSocketTransport(url, ssl, tls, parent));
    return static_cast<Transport *>(new TcpTransport(url, ssl, tls, parent));
}

} // namespace mqs
