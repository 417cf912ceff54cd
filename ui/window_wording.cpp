#include "window_wording.h"

#include <QCoreApplication>
#include <QLocale>

#include <utility>

namespace mqs {

QString inWindowTerms(QString sentence)
{
    auto tr = [](const char *text) { return QCoreApplication::translate("MainWindow", text); };
    // Longest first, so "--cert and --key" is replaced whole before "--cert" alone.
    const std::pair<const char *, QString> kControls[] = {
        {"--cert and --key", tr("'Client certificate' and 'Client key' in Connection ▸ Edit…")},
        {"--cafile", tr("'CA file' in Connection ▸ Edit…")},
        {"--insecure", tr("'Insecure' in Connection ▸ Edit…")},
        {"--cert", tr("'Client certificate' in Connection ▸ Edit…")},
        {"--key", tr("'Client key' in Connection ▸ Edit…")},
        {"-V mqttv311", tr("'MQTT 3.1.1' as the protocol in Connection ▸ Edit…")},
    };
    for (const auto &[option, control] : kControls)
        sentence.replace(QLatin1String(option), control);
    return sentence;
}

QString packetTooLargeAdvice(const ConnectionSettings &s)
{
    auto tr = [](const char *text) { return QCoreApplication::translate("MainWindow", text); };
    const QLocale grouped(QLocale::English); // 1,048,576 bytes, as the dialog's fields show them
    const bool announced = s.announcesMaximumPacketSize();
    const QString limit = announced ? tr("the Maximum packet size of %1 bytes it announced (the broker should not have sent it "
                                         "[MQTT-3.1.2-24])")
                                          .arg(grouped.toString(s.session.maximumPacketSize))
                                    : tr("its receive limit of %1 bytes").arg(grouped.toString(s.receiveLimit));
    return tr("%1: a packet from the broker was larger than %2, so the connection was closed and that message was not "
              "received. To take messages this large, raise '%3' in Connection ▸ Edit….")
        .arg(s.name, limit, announced ? tr("Maximum packet size") : tr("Receive limit"));
}

} // namespace mqs
