// The colours that carry meaning stay readable on both palettes: problem and success text on
// the base colour, and a stalled row's text on its red background, each at a contrast of at
// least 4.5:1 (WCAG AA for normal text).

#include "theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>
#include <QTest>

#include <cmath>

using namespace mqs;

namespace {

double luminance(const QColor &c)
{
    auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

} // namespace

class TstTheme : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion"))); }

    void meaningfulColoursAreReadable_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }

    void meaningfulColoursAreReadable()
    {
        QFETCH(bool, dark);
        QApplication::setPalette(dark ? darkPalette() : QApplication::style()->standardPalette());
        QCOMPARE(isDarkPalette(), dark);
        const QColor base = QApplication::palette().color(QPalette::Base);
        const QColor window = QApplication::palette().color(QPalette::Window);
        for (const auto &[name, fg, bg] :
             {std::tuple{"problem on base", problemColor(), base}, std::tuple{"problem on window", problemColor(), window},
              std::tuple{"success on base", successColor(), base}, std::tuple{"warning on window", warningColor(), window}, std::tuple{"stalled row", problemColor(), stalledRowColor()},
              std::tuple{"text on a linked row", QApplication::palette().color(QPalette::Text), linkedRowColor()},
              std::tuple{"problem on a linked row", problemColor(), linkedRowColor()},
              std::tuple{"text on base", QApplication::palette().color(QPalette::Text), base}}) {
            const double ratio = contrast(fg, bg);
            QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("%1: %2 on %3 is %4:1").arg(QLatin1String(name), fg.name(), bg.name()).arg(ratio, 0, 'f', 2)));
        }
    }

    // The diagram's one colour code: each packet type's colour reads as text on the base colour
    // (the legend is written in it), and the handshake's steps are told apart from one another.
    void packetColoursAreReadableAndDistinct_data() { meaningfulColoursAreReadable_data(); }

    void packetColoursAreReadableAndDistinct()
    {
        QFETCH(bool, dark);
        const QPalette palette = dark ? darkPalette() : QApplication::style()->standardPalette();
        const QColor base = palette.color(QPalette::Base);
        QStringList seen;
        for (const LegendEntry &entry : packetLegend()) {
            const QColor c = packetColor(entry.type, palette);
            const double ratio = contrast(c, base);
            QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("%1: %2 on %3 is %4:1").arg(entry.name, c.name(), base.name()).arg(ratio, 0, 'f', 2)));
            QVERIFY2(!seen.contains(c.name()), qPrintable(entry.name + QStringLiteral(" shares a colour")));
            seen << c.name();
        }
        // every type has one of the legend's colours
        for (int type = int(PacketType::Connect); type <= int(PacketType::Auth); ++type)
            QVERIFY(seen.contains(packetColor(PacketType(type), palette).name()));
    }
};

QTEST_MAIN(TstTheme)
#include "tst_theme.moc"
