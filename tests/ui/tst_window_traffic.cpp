// The window with real traffic on a real mosquitto (offscreen): with two connections the topic
// tree follows the messages' connection filter, so whose topics are whose can be told; "Save and
// reconnect now" ends the live connection cleanly (DISCONNECT, no will published) before it
// connects with the edited settings, while messages keep flowing in; a 5 MB payload arrives whole
// and the message view says how much it shows, and one over the receive limit is reported.

#include "connection_dialog.h"
#include "main_window.h"
#include "messages_view.h"
#include "mosquitto_fixture.h"
#include "subscription_model.h"
#include "window_fixture.h"

#include "protocol/decoder.h"

#include <QApplication>
#include <QComboBox>
#include <QLocale>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryFile>
#include <QTest>
#include <QTimer>
#include <QTreeView>

using namespace mqs;
using namespace mqs::test;

namespace {

// Every topic level the tree shows, as full topics with their Messages count ("home/kitchen 2").
QStringList shownTree(const MessagesView &view, const QModelIndex &parent = {})
{
    QStringList shown;
    const QAbstractItemModel *model = view.treeView()->model();
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex row = model->index(r, TopicTreeModel::Topic, parent);
        shown << QStringLiteral("%1 %2").arg(row.data(TopicTreeModel::TopicRole).toString(),
                                             row.siblingAtColumn(TopicTreeModel::Messages).data().toString());
        shown << shownTree(view, row);
    }
    return shown;
}

// Picks `name` in the messages' connection filter, as a user does from its list.
void chooseConnection(MessagesView &view, const QString &name)
{
    QComboBox *filter = view.connectionFilter();
    const int index = name.isEmpty() ? 0 : filter->findData(name);
    QVERIFY2(index >= 0, qPrintable(name));
    filter->setCurrentIndex(index);
    emit filter->activated(index);
}

void publishWithMosquittoPub(const MosquittoBroker &broker, const QString &topic, const QString &payload)
{
    const ClientRun run = runProgramAsync(QStringLiteral("mosquitto_pub"),
                                          {QStringLiteral("-p"), QString::number(broker.port()), QStringLiteral("-t"), topic,
                                           QStringLiteral("-m"), payload, QStringLiteral("-q"), QStringLiteral("1")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
}

// The packets of `type` that `connection` sent, in trace order, with their sequence numbers.
std::vector<std::pair<quint64, Packet>> sent(const TraceLog &trace, ConnectionId connection, PacketType type)
{
    std::vector<std::pair<quint64, Packet>> packets;
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
        if (trace.kindOf(s) == TraceKind::Packet && trace.connectionOf(s) == connection && trace.typeOf(s) == type
            && trace.directionOf(s) == TraceDirection::Sent)
            if (const auto decoded = decodePacket(trace.rawView(s), ProtocolVersion::V5); const auto *p = std::get_if<Packet>(&decoded))
                packets.emplace_back(s, *p);
    return packets;
}

ApplicationMessage message(const QString &topic, const QByteArray &payload, QoS qos = QoS::AtMostOnce)
{
    ApplicationMessage m;
    m.topic = topic;
    m.payload = payload;
    m.qos = qos;
    return m;
}

} // namespace

class TestWindowTraffic : public QObject
{
    Q_OBJECT

    TestWindows m_windows;

    Connection *connected(MainWindow &w, const Profile &profile)
    {
        Connection *c = w.addConnection(profile, true);
        if (!QTest::qWaitFor([c] { return c->state() == ConnectionState::Connected; }, 10000))
            qWarning("%s did not connect: %s", qPrintable(profile.settings.name), qPrintable(c->lastError()));
        return c;
    }

    // Subscribes the current connection through the left panel's field.
    void subscribeThroughUi(MainWindow &w, const QString &filter)
    {
        auto *field = w.findChild<QLineEdit *>(QStringLiteral("subscribeFilter"));
        QVERIFY(field);
        field->clear();
        QTest::keyClicks(field, filter);
        QTest::keyClick(field, Qt::Key_Return);
    }

private slots:
    void topicTreeFollowsTheConnectionFilter()
    {
        MosquittoBroker mosquitto;
        QVERIFY2(mosquitto.start().ok(), qPrintable(mosquitto.logText()));
        auto w = m_windows.open();
        Connection *kitchen = connected(*w, profileFor(mosquitto.url(), QStringLiteral("kitchen")));
        QVERIFY(kitchen);
        subscribeThroughUi(*w, QStringLiteral("home/kitchen/#"));
        Connection *hall = connected(*w, profileFor(mosquitto.url(), QStringLiteral("hall")));
        QVERIFY(hall);
        subscribeThroughUi(*w, QStringLiteral("home/#"));
        QTRY_COMPARE(w->subscriptions()->index(0, SubscriptionModel::Granted).data().toString(), QStringLiteral("QoS 2"));
        w->workbench().setCurrent(kitchen);
        QTRY_COMPARE(w->subscriptions()->index(0, SubscriptionModel::Granted).data().toString(), QStringLiteral("QoS 2"));
        publishWithMosquittoPub(mosquitto, QStringLiteral("home/kitchen/temperature"), QStringLiteral("21.5"));
        publishWithMosquittoPub(mosquitto, QStringLiteral("home/hall/temperature"), QStringLiteral("19.0"));

        MessagesView *view = w->messages();
        QTRY_COMPARE(shownTree(*view).size(), 5); // home, home/hall, …/temperature, home/kitchen, …/temperature
        view->treeView()->expandAll();
        QCOMPARE(shownTree(*view), (QStringList{QStringLiteral("home 3"), QStringLiteral("home/hall 1"), QStringLiteral("home/hall/temperature 1"),
                                                QStringLiteral("home/kitchen 2"), QStringLiteral("home/kitchen/temperature 2")}));
        const QModelIndex kitchenNode = view->treeView()->model()->index(1, 0, view->treeView()->model()->index(0, 0));
        QVERIFY2(kitchenNode.data(Qt::ToolTipRole).toString().contains(QStringLiteral("hall: 1, kitchen: 1")),
                 qPrintable(kitchenNode.data(Qt::ToolTipRole).toString()));

        w->tabs()->setCurrentWidget(view);
        view->showTopic(QStringLiteral("home/hall/temperature"));
        QTRY_VERIFY(view->shownText().contains(QStringLiteral("19.0")));
        chooseConnection(*view, QStringLiteral("kitchen"));
        QVERIFY2(!view->shownText().contains(QStringLiteral("19.0")), qPrintable(view->shownText())); // not kitchen's
        QCOMPARE(shownTree(*view), (QStringList{QStringLiteral("home 1"), QStringLiteral("home/kitchen 1"), QStringLiteral("home/kitchen/temperature 1")}));
        QVERIFY(view->treeSearch()->placeholderText().contains(QStringLiteral("kitchen")));
        // New messages on a topic the chosen connection does not receive stay out of its tree.
        publishWithMosquittoPub(mosquitto, QStringLiteral("home/hall/humidity"), QStringLiteral("40"));
        QTRY_VERIFY(view->tree().indexOf(QStringLiteral("home/hall/humidity")).isValid());
        QCOMPARE(shownTree(*view), (QStringList{QStringLiteral("home 1"), QStringLiteral("home/kitchen 1"), QStringLiteral("home/kitchen/temperature 1")}));

        chooseConnection(*view, QStringLiteral("hall"));
        view->treeView()->expandAll();
        QCOMPARE(shownTree(*view), (QStringList{QStringLiteral("home 3"), QStringLiteral("home/hall 2"), QStringLiteral("home/hall/humidity 1"),
                                                QStringLiteral("home/hall/temperature 1"), QStringLiteral("home/kitchen 1"),
                                                QStringLiteral("home/kitchen/temperature 1")}));
        // The search box narrows the chosen connection's tree further.
        view->treeSearch()->setText(QStringLiteral("humidity"));
        QCOMPARE(shownTree(*view), (QStringList{QStringLiteral("home 3"), QStringLiteral("home/hall 2"), QStringLiteral("home/hall/humidity 1")}));
        view->treeSearch()->clear();
        chooseConnection(*view, QString());
        QCOMPARE(shownTree(*view).first(), QStringLiteral("home 4"));
    }

    void reconnectNowEndsTheOldConnectionCleanlyUnderLoad()
    {
        MosquittoBroker mosquitto;
        QVERIFY2(mosquitto.start().ok(), qPrintable(mosquitto.logText()));
        auto w = m_windows.open();
        Connection *watcher = connected(*w, profileFor(mosquitto.url(), QStringLiteral("watcher")));
        QVERIFY(watcher);
        subscribeThroughUi(*w, QStringLiteral("wills/#"));
        QStringList seenByWatcher;
        connect(watcher, &Connection::messageReceived, this, [&seenByWatcher](const Delivery &d) { seenByWatcher << d.message.topic; });
        Connection *loader = connected(*w, profileFor(mosquitto.url(), QStringLiteral("loader")));
        QVERIFY(loader);
        Profile editedProfile = profileFor(mosquitto.url(), QStringLiteral("edited"));
        editedProfile.settings.will = Will{.topic = QStringLiteral("wills/edited"), .payload = "gone"};
        Connection *edited = connected(*w, editedProfile);
        QVERIFY(edited);
        subscribeThroughUi(*w, QStringLiteral("sensors/load/#"));
        QTRY_COMPARE(w->subscriptions()->index(0, SubscriptionModel::Granted).data().toString(), QStringLiteral("QoS 2"));

        // A modest steady load on the edited connection's subscription (the 10,000 msg/s case is a bench).
        quint64 published = 0;
        QTimer load;
        connect(&load, &QTimer::timeout, this, [&] {
            for (int i = 0; i < 5; ++i)
                (void)loader->publish(message(QStringLiteral("sensors/load/%1").arg(published++ % 10), "x"));
        });
        load.start(2);
        quint64 received = 0;
        connect(edited, &Connection::messageReceived, this, [&received] { ++received; });
        QTRY_VERIFY(received > 200);

        QTimer::singleShot(0, [] {
            auto *dialog = qobject_cast<ConnectionDialog *>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            dialog->findChild<QSpinBox *>(QStringLiteral("receiveMaximum"))->setValue(25);
            QTest::mouseClick(dialog->reconnectButton(), Qt::LeftButton);
        });
        w->workbench().setCurrent(edited);
        w->editConnection();
        const TraceLog &trace = w->workbench().trace();
        QTRY_COMPARE_WITH_TIMEOUT(sent(trace, edited->traceId(), PacketType::Connect).size(), 2u, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(edited->state(), ConnectionState::Connected, 10000);
        const auto connects = sent(trace, edited->traceId(), PacketType::Connect);
        const auto disconnects = sent(trace, edited->traceId(), PacketType::Disconnect);
        QCOMPARE(disconnects.size(), 1u);
        QVERIFY(connects[0].first < disconnects[0].first && disconnects[0].first < connects[1].first);
        QCOMPARE(std::get<Disconnect>(disconnects[0].second).reason, ReasonCode::Success);
        QCOMPARE(std::get<Connect>(connects[1].second).properties.integer(PropertyId::ReceiveMaximum), std::optional<quint32>(25));

        // Messages flow again on the new connection.
        const quint64 before = received;
        QTRY_VERIFY_WITH_TIMEOUT(received > before + 200, 10000);
        load.stop();
        // The broker took it as a clean DISCONNECT: no will. A marker sent after the reconnect
        // arrives behind anything the broker published for the old connection.
        (void)loader->publish(message(QStringLiteral("wills/marker"), "after", QoS::AtLeastOnce));
        QTRY_VERIFY_WITH_TIMEOUT(seenByWatcher.contains(QStringLiteral("wills/marker")), 10000);
        QCOMPARE(seenByWatcher, QStringList{QStringLiteral("wills/marker")});
        QVERIFY2(mosquitto.logText().contains(QStringLiteral("Client edited disconnected.")), qPrintable(mosquitto.logText().right(2000)));
    }

    void aFiveMegabytePayloadArrivesWholeAndOneOverTheLimitIsReported()
    {
        MosquittoBroker mosquitto;
        QVERIFY2(mosquitto.start().ok(), qPrintable(mosquitto.logText()));
        auto w = m_windows.open();
        Connection *big = connected(*w, profileFor(mosquitto.url(), QStringLiteral("big")));
        QVERIFY(big);
        subscribeThroughUi(*w, QStringLiteral("big/#"));
        Profile smallProfile = profileFor(mosquitto.url(), QStringLiteral("small"));
        constexpr quint32 kSmallLimit = 1024 * 1024;
        smallProfile.settings.receiveLimit = kSmallLimit; // not announced: the broker sends, the client refuses
        Connection *small = connected(*w, smallProfile);
        QVERIFY(small);
        subscribeThroughUi(*w, QStringLiteral("big/#"));
        QTRY_COMPARE(w->subscriptions()->index(0, SubscriptionModel::Granted).data().toString(), QStringLiteral("QoS 2"));
        w->workbench().setCurrent(big);
        QTRY_COMPARE(w->subscriptions()->index(0, SubscriptionModel::Granted).data().toString(), QStringLiteral("QoS 2"));

        constexpr qsizetype kFiveMegabytes = 5 * 1024 * 1024;
        QByteArray payload(kFiveMegabytes, 'x');
        payload.replace(0, 10, "BEGIN-5MB ");
        payload.replace(kFiveMegabytes - 8, 8, " END-5MB");
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write(payload);
        file.close();
        const ClientRun run = runProgramAsync(QStringLiteral("mosquitto_pub"),
                                              {QStringLiteral("-p"), QString::number(mosquitto.port()), QStringLiteral("-t"),
                                               QStringLiteral("big/one"), QStringLiteral("-f"), file.fileName(), QStringLiteral("-q"),
                                               QStringLiteral("1")});
        QVERIFY2(run.exitCode == 0, run.err.constData());

        // The message view: the message whole in the store, its size in the list, the first part
        // shown and a note saying so.
        MessagesView *view = w->messages();
        QTRY_VERIFY_WITH_TIMEOUT(view->tree().indexOf(QStringLiteral("big/one")).isValid(), 20000);
        const auto &kept = w->workbench().messages().messages(QStringLiteral("big/one"));
        QCOMPARE(kept.size(), 1u);
        QCOMPARE(kept.back().message.payload, payload);
        QCOMPARE(kept.back().connectionName, QStringLiteral("big"));
        w->tabs()->setCurrentWidget(view); // where a user reads it
        view->showTopic(QStringLiteral("big/one"));
        QTRY_COMPARE(view->list().rowCount(), 1);
        QVERIFY(view->shownText().startsWith(QStringLiteral("BEGIN-5MB")));
        // grouped as every large number in the window: "of 5,120 KiB"
        QVERIFY2(view->truncationNote().contains(QStringLiteral("of %1 KiB").arg(QLocale().toString(5120))), qPrintable(view->truncationNote()));

        // Over the receive limit: the connection closes and the window says why, with the limit.
        QTRY_COMPARE_WITH_TIMEOUT(small->state(), ConnectionState::Disconnected, 20000);
        const QString problem = w->lastProblem();
        QVERIFY2(problem.startsWith(QStringLiteral("small: ")) && problem.contains(QStringLiteral("receive limit of 1,048,576 bytes"))
                     && problem.contains(QStringLiteral("not received")) && problem.contains(QStringLiteral("'Receive limit' in Connection ▸ Edit…")),
                 qPrintable(problem));
        QCOMPARE(big->state(), ConnectionState::Connected);
    }
};

QTEST_MAIN(TestWindowTraffic)
#include "tst_window_traffic.moc"
