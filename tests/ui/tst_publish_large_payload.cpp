// Large payloads through the publish form, on a real mosquitto (offscreen): a 5 MB file taken
// with "Payload from file…" reaches a subscriber byte for byte at QoS 2; a 5 MB paste becomes a
// payload blob with a summary instead of 5 MB of text in the editor, and is sent whole; over the
// broker's Maximum Packet Size the form says so before Publish, and Publish sends nothing.

#include "main_window.h"
#include "mosquitto_fixture.h"
#include "publish_panel.h"
#include "subscription_model.h"
#include "window_fixture.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

constexpr qsizetype kFiveMegabytes = 5 * 1024 * 1024;
constexpr int kBigMessageTimeoutMs = 30000; // 5 MB through mosquitto and back on a loaded machine

// Bytes of every value, in an order no run-length shortcut can fake.
QByteArray binaryReading(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(12);
    for (char &b : bytes)
        b = char(generator.bounded(256));
    return bytes;
}

// Text with a recognisable start and end, as a pasted log or JSON dump would be.
QString textReading(qsizetype size)
{
    QString text(size, QLatin1Char('t'));
    for (qsizetype i = 79; i < size; i += 80)
        text[i] = QLatin1Char('\n');
    text.replace(0, 10, QStringLiteral("BEGIN-5MB "));
    text.replace(size - 8, 8, QStringLiteral(" END-5MB"));
    return text;
}

} // namespace

class TestPublishLargePayload : public QObject
{
    Q_OBJECT

    TestWindows m_windows;
    QTemporaryDir m_files;

    Connection *connected(MainWindow &w, const QString &url, const QString &name)
    {
        Connection *c = w.addConnection(profileFor(url, name), true);
        if (!QTest::qWaitFor([c] { return c->state() == ConnectionState::Connected; }, 10000))
            qWarning("%s did not connect: %s", qPrintable(name), qPrintable(c->lastError()));
        return c->state() == ConnectionState::Connected ? c : nullptr;
    }

    // A "listener" connection subscribed to `filter` through the left panel, then a "sender"
    // connection made current for the publish form.
    Connection *listenerAndSender(MainWindow &w, const QString &url, const QString &filter)
    {
        if (!connected(w, url, QStringLiteral("listener")))
            return nullptr;
        auto *field = w.findChild<QLineEdit *>(QStringLiteral("subscribeFilter"));
        field->clear();
        QTest::keyClicks(field, filter);
        QTest::keyClick(field, Qt::Key_Return);
        if (!QTest::qWaitFor([&w] { return w.subscriptions()->index(0, SubscriptionModel::Granted).data().toString() == QStringLiteral("QoS 2"); }, 10000))
            return nullptr;
        Connection *sender = connected(w, url, QStringLiteral("sender"));
        if (sender)
            w.workbench().setCurrent(sender);
        return sender;
    }

    static void setTopicAndQos(PublishPanel &panel, const QString &topic, QoS qos)
    {
        panel.templated()->setChecked(false);
        panel.topic()->setCurrentText(topic);
        panel.qos()->setCurrentIndex(qosValue(qos));
    }

    QString writeFile(const QString &name, const QByteArray &bytes)
    {
        QFile file(m_files.filePath(name));
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            return {};
        return file.fileName();
    }

    // What "listener" received on `topic` (the window's message store keeps all of it).
    static const StoredMessage *received(MainWindow &w, const QString &topic)
    {
        const auto &kept = w.workbench().messages().messages(topic);
        for (const StoredMessage &m : kept)
            if (m.connectionName == QStringLiteral("listener"))
                return &m;
        return nullptr;
    }

private slots:
    void aFiveMegabyteFileIsPublishedAtQos2ByteForByte()
    {
        MosquittoBroker mosquitto;
        QVERIFY(mosquitto.start().ok());
        auto w = m_windows.open();
        QVERIFY(listenerAndSender(*w, mosquitto.url(), QStringLiteral("big/#")));
        PublishPanel &panel = *w->publishPanel();
        const QByteArray reading = binaryReading(kFiveMegabytes);
        const QString path = writeFile(QStringLiteral("reading.bin"), reading);
        QVERIFY(!path.isEmpty());
        const QString typed = panel.payload()->toPlainText();

        QVERIFY(panel.form()->loadPayloadFile(path));
        QCOMPARE(panel.form()->blobBar()->summary(), QStringLiteral("5.0 MB from reading.bin (binary)"));
        QVERIFY(panel.form()->blobBar()->isVisible());
        QVERIFY(!panel.payload()->isVisible());
        QCOMPARE(panel.payload()->toPlainText(), typed); // the bytes never went into the editor
        QCOMPARE(panel.form()->blobBar()->warning(), QString()); // mosquitto announces no limit by default

        setTopicAndQos(panel, QStringLiteral("big/reading"), QoS::ExactlyOnce);
        QTest::mouseClick(panel.publishButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(received(*w, QStringLiteral("big/reading")), kBigMessageTimeoutMs);
        const StoredMessage &got = *received(*w, QStringLiteral("big/reading"));
        QCOMPARE(got.message.payload.size(), reading.size());
        QVERIFY(got.message.payload == reading);
        QCOMPARE(got.message.qos, QoS::ExactlyOnce);
        QTRY_VERIFY_WITH_TIMEOUT(panel.outcome().contains(QStringLiteral("completed (PUBCOMP)")), kBigMessageTimeoutMs);
    }

    void aFiveMegabytePasteBecomesAPayloadBlobAndIsSentWhole()
    {
        MosquittoBroker mosquitto;
        QVERIFY(mosquitto.start().ok());
        auto w = m_windows.open();
        QVERIFY(listenerAndSender(*w, mosquitto.url(), QStringLiteral("pasted/#")));
        PublishPanel &panel = *w->publishPanel();
        setTopicAndQos(panel, QStringLiteral("pasted/log"), QoS::AtLeastOnce);
        panel.format()->setCurrentIndex(int(PayloadFormat::Text));
        panel.payload()->setPlainText(QStringLiteral("typed before"));
        const QString text = textReading(kFiveMegabytes);
        QApplication::clipboard()->setText(text);

        panel.payload()->setFocus();
        QTest::keyClick(panel.payload(), Qt::Key_V, Qt::ControlModifier);
        QCOMPARE(panel.form()->blobBar()->summary(), QStringLiteral("5.0 MB pasted (text)"));
        QCOMPARE(panel.payload()->toPlainText(), QStringLiteral("typed before")); // not 5 MB laid out as text
        QVERIFY(!panel.payload()->isVisible());

        QTest::mouseClick(panel.publishButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(received(*w, QStringLiteral("pasted/log")), kBigMessageTimeoutMs);
        QVERIFY(received(*w, QStringLiteral("pasted/log"))->message.payload == text.toUtf8());

        // Clear gives the editor back with what was typed before.
        QTest::mouseClick(panel.form()->blobBar()->clearButton(), Qt::LeftButton);
        QVERIFY(!panel.form()->payloadBlob());
        QVERIFY(panel.payload()->isVisible());
        QCOMPARE(panel.form()->build().value().payload, QByteArray("typed before"));
    }

    void aSmallPasteStaysText()
    {
        auto w = m_windows.open();
        PublishPanel &panel = *w->publishPanel();
        panel.payload()->clear();
        QApplication::clipboard()->setText(QStringLiteral("{\"temperature\": 21.5}"));
        panel.payload()->setFocus();
        QTest::keyClick(panel.payload(), Qt::Key_V, Qt::ControlModifier);
        QCOMPARE(panel.payload()->toPlainText(), QStringLiteral("{\"temperature\": 21.5}"));
        QVERIFY(!panel.form()->payloadBlob());
    }

    void overTheBrokersMaximumPacketSizeItSaysSoAndSendsNothing()
    {
        constexpr int kBrokerLimit = 1024 * 1024;
        MosquittoBroker mosquitto(MosquittoBroker::Options{.extraConfig = {QStringLiteral("max_packet_size %1").arg(kBrokerLimit)}});
        QVERIFY(mosquitto.start().ok());
        auto w = m_windows.open();
        Connection *sender = listenerAndSender(*w, mosquitto.url(), QStringLiteral("big/#"));
        QVERIFY(sender);
        PublishPanel &panel = *w->publishPanel();
        setTopicAndQos(panel, QStringLiteral("big/reading"), QoS::ExactlyOnce);
        const QString path = writeFile(QStringLiteral("too-big.bin"), binaryReading(kFiveMegabytes));

        QVERIFY(panel.form()->loadPayloadFile(path));
        const QString warning = panel.form()->blobBar()->warning();
        QVERIFY2(warning.contains(QStringLiteral("sender")) && warning.contains(QStringLiteral("1,048,576 bytes"))
                     && warning.contains(QStringLiteral("Maximum Packet Size")),
                 qPrintable(warning));

        const quint64 traceEnd = w->workbench().trace().endSequence();
        QTest::mouseClick(panel.publishButton(), Qt::LeftButton);
        QVERIFY2(panel.outcome().startsWith(QStringLiteral("refused")) && panel.outcome().contains(QStringLiteral("Maximum Packet Size")),
                 qPrintable(panel.outcome()));
        QCOMPARE(panel.problem(), QString()); // said once, not twice in a box that fits one

        const TraceLog &trace = w->workbench().trace();
        for (quint64 s = traceEnd; s < trace.endSequence(); ++s)
            QVERIFY(trace.typeOf(s) != PacketType::Publish);
        QCOMPARE(sender->state(), ConnectionState::Connected);
    }

    void aPresetTakesTheEditorBack()
    {
        auto w = m_windows.open();
        PublishPanel &panel = *w->publishPanel();
        panel.form()->takePayload(PayloadBlob{.bytes = QByteArray(1000, 'x')});
        QVERIFY(!panel.format()->isEnabled()); // the bytes go as they are, in no format
        panel.applyPreset(0);
        QVERIFY(!panel.form()->payloadBlob());
        QVERIFY(panel.format()->isEnabled());
        QVERIFY(panel.payload()->toPlainText().contains(QStringLiteral("temperature")));
    }
};

QTEST_MAIN(TestPublishLargePayload)
#include "tst_publish_large_payload.moc"
