#include "tcp_transport.h"
#include "tls_configuration.h"
#include "websocket_transport.h"

namespace mqs {

std::variant<Transport *, QString> createTransport(const ServerUrl &url, const TlsOptions &tls, QObject *parent)
{
    std::optional<QSslConfiguration> ssl;
    if (url.isTls()) {
        auto config = makeSslConfiguration(tls);
        if (const auto *error = std::get_if<QString>(&config))
            return *error;
        ssl = std::get<QSslConfiguration>(config);
    }
    if (url.isWebSocket())
        return static_cast<Transport *>(new WebSocketTransport(url, ssl, tls, parent));
    return static_cast<Transport *>(new TcpTransport(url, ssl, tls, parent));
}

} // namespace mqs
