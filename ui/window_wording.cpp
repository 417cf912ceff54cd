#include "window_wording.h"

#include <QCoreApplication>

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

} // namespace mqs
