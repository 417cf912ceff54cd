#include "theme.h"

#include <QGuiApplication>

namespace mqs {

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

bool isDarkPalette()
{
    return isDarkPalette(QGuiApplication::palette());
}

QColor problemColor()
{
    return isDarkPalette() ? QColor(0xff, 0x7a, 0x7a) : QColor(0xc0, 0x10, 0x10);
}

QColor successColor()
{
    return isDarkPalette() ? QColor(0x7c, 0xd6, 0x8a) : QColor(0x23, 0x7a, 0x2f);
}

QColor warningColor()
{
    return isDarkPalette() ? QColor(0xf0, 0xb0, 0x50) : QColor(0xa0, 0x57, 0x00);
}

QColor stalledRowColor()
{
    return isDarkPalette() ? QColor(0x4a, 0x1c, 0x1c) : QColor(0xff, 0xe0, 0xe0);
}

QColor packetColor(PacketType type, const QPalette &palette)
{
    // Light-palette tints, each at least 4.5:1 on white (the legend writes in them); lighter on dark.
    QColor c;
    switch (type) {
    case PacketType::Publish: c = QColor(0x1f, 0x6f, 0xd1); break;
    case PacketType::PubAck: c = QColor(0x00, 0x80, 0x80); break;
    case PacketType::PubRec: c = QColor(0xb0, 0x52, 0x00); break;
    case PacketType::PubRel: c = QColor(0x88, 0x3c, 0xc8); break;
    case PacketType::PubComp: c = QColor(0x2e, 0x7d, 0x32); break;
    case PacketType::Subscribe:
    case PacketType::SubAck:
    case PacketType::Unsubscribe:
    case PacketType::UnsubAck: c = QColor(0x8b, 0x5a, 0x2b); break;
    default: c = QColor(0x60, 0x60, 0x68); break; // connect, ping, disconnect, auth
    }
    return isDarkPalette(palette) ? c.lighter(160) : c;
}

const std::vector<LegendEntry> &packetLegend()
{
    static const std::vector<LegendEntry> legend{
        {QStringLiteral("PUBLISH"), PacketType::Publish},     {QStringLiteral("PUBACK"), PacketType::PubAck},
        {QStringLiteral("PUBREC"), PacketType::PubRec},       {QStringLiteral("PUBREL"), PacketType::PubRel},
        {QStringLiteral("PUBCOMP"), PacketType::PubComp},     {QStringLiteral("SUB/UNSUB"), PacketType::Subscribe},
        {QStringLiteral("CONNECT, PING, other"), PacketType::Connect},
    };
    return legend;
}

QColor linkedRowColor()
{
    return isDarkPalette() ? QColor(0x1c, 0x33, 0x4a) : QColor(0xdc, 0xea, 0xfb);
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6), disabled(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, window);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x7a, 0x7a));
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x65, 0xca));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, window.lighter(130));
    p.setColor(QPalette::Midlight, window.lighter(115));
    p.setColor(QPalette::Mid, window.darker(120));
    p.setColor(QPalette::Dark, window.darker(150));
    p.setColor(QPalette::Shadow, Qt::black);
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}

} // namespace mqs
