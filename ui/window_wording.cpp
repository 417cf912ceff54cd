#include "window_wording.h"

#include <QCoreApplication>
#include <QLocale>


namespace mqs {

QString withWindowAdvice(const Problem &problem)
{
    if (problem.kind != ProblemKind::Tls)
        return problem.sentence;
    return problem.sentence + QLatin1Char(' ')
        + QCoreApplication::translate("MainWindow", "Give the broker's CA as 'CA file' in Connection ▸ Edit…, a client "
                                                    "certificate as 'Client certificate' and 'Client key', or tick "
                                                    "'Insecure: do not verify the broker's certificate or name' there.");
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
