#include "number_locale.h"

#include <QLocale>

namespace mqs {

void groupDigitsInDefaultLocale()
{
    QLocale locale = QLocale::system();
    locale.setNumberOptions(locale.numberOptions() & ~QLocale::OmitGroupSeparator);
    QLocale::setDefault(locale);
}

QString countText(qint64 count, const QString &one, const QString &many)
{
    return QStringLiteral("%L1 %2").arg(count).arg(count == 1 ? one : many);
}

} // namespace mqs
