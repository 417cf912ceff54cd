// Every bracketed MQTT statement id cited in the sources (core, ui, app, tests) is a real normative statement id
// of the specification it concerns, from the tables in tests/data (spec_ids_v5.txt,
// spec_ids_v311.txt): a citation marked as 3.1.1 or 5.0 on its line against that version's table.
// A placeholder, a section number or a made-up id fails with file:line.

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <optional>

namespace {

const QString kSourceRoot = QStringLiteral(MQTTSCOPE_TESTDATA_DIR "/../..");

QSet<QString> readIds(const QString &name)
{
    QFile file(QStringLiteral(MQTTSCOPE_TESTDATA_DIR "/") + name);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    QSet<QString> ids;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QString id = QString::fromUtf8(line).trimmed();
        if (!id.isEmpty() && !id.startsWith(QLatin1Char('#')))
            ids.insert(id);
    }
    return ids;
}

struct SpecTables {
    QSet<QString> v5 = readIds(QStringLiteral("spec_ids_v5.txt"));
    QSet<QString> v311 = readIds(QStringLiteral("spec_ids_v311.txt"));
};

enum class CitedVersion : quint8 { Either, V5, V311 };

// The version a citation concerns, as the code marks it: the version named last before it on its
// line ("3.1.1 [MQTT-3.1.3-6]", "5.0: ... [MQTT-4.13.1-1]"); else 5.0 when the line speaks of 5.0
// alone; else either (the code cites a 5.0 id unmarked and its counterpart after it, marked as
// 3.1.1). The ids' own digits never count as a version.
CitedVersion versionOf(const QString &line, qsizetype citationAt)
{
    static const QRegularExpression marker(QStringLiteral(R"((?<![\d.\-])(3\.1\.1|5\.0)(?!\d|\.\d))"));
    static const QRegularExpression citation(QStringLiteral(R"(\[(?:MQTT-[^\]]*)\])"));
    QString plain = line;
    for (auto it = citation.globalMatch(line); it.hasNext();) {
        const auto m = it.next();
        plain.replace(m.capturedStart(), m.capturedLength(), QString(m.capturedLength(), QLatin1Char(' ')));
    }
    std::optional<CitedVersion> before;
    bool names5 = false;
    bool names311 = false;
    for (auto it = marker.globalMatch(plain); it.hasNext();) {
        const auto m = it.next();
        const CitedVersion v = m.captured(1) == QStringLiteral("5.0") ? CitedVersion::V5 : CitedVersion::V311;
        (v == CitedVersion::V5 ? names5 : names311) = true;
        if (m.capturedStart() < citationAt)
            before = v;
    }
    if (before)
        return *before;
    return names5 && !names311 ? CitedVersion::V5 : CitedVersion::Either;
}

// What is wrong with the ids cited on one line, or nothing. Each citation is held to the table of
// the version it concerns (versionOf), or to either table when the line does not say.
QStringList problemsOnLine(const QString &line, const SpecTables &tables)
{
    static const QRegularExpression cited(QStringLiteral(R"(\[(MQTT-[^\]]*)\])"));
    static const QRegularExpression shape(QStringLiteral(R"(^MQTT-\d+(\.\d+)+-\d+$)"));
    QStringList problems;
    for (auto it = cited.globalMatch(line); it.hasNext();) {
        const auto match = it.next();
        const QString id = match.captured(1);
        const CitedVersion version = versionOf(line, match.capturedStart());
        const bool in5 = tables.v5.contains(id);
        const bool in311 = tables.v311.contains(id);
        if (!shape.match(id).hasMatch())
            problems << QStringLiteral("[%1] is not a statement id").arg(id);
        else if (version == CitedVersion::V5 && !in5)
            problems << QStringLiteral("[%1] is no statement of MQTT 5.0").arg(id);
        else if (version == CitedVersion::V311 && !in311)
            problems << QStringLiteral("[%1] is no statement of MQTT 3.1.1").arg(id);
        else if (version == CitedVersion::Either && !in5 && !in311)
            problems << QStringLiteral("[%1] is no statement of MQTT 5.0 or 3.1.1").arg(id);
    }
    return problems;
}

QStringList sourceFiles()
{
    QStringList files;
    for (const QString &folder : {QStringLiteral("core"), QStringLiteral("ui"), QStringLiteral("app"), QStringLiteral("tests")}) {
        QDirIterator it(kSourceRoot + QLatin1Char('/') + folder, {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            files << it.next();
    }
    return files;
}

} // namespace

class TestSpecIds : public QObject
{
    Q_OBJECT

private slots:
    void tablesAreRead()
    {
        const SpecTables tables;
        QVERIFY(tables.v5.size() > 200);
        QVERIFY(tables.v5.contains(QStringLiteral("MQTT-4.6.0-4")));
        QVERIFY(tables.v311.contains(QStringLiteral("MQTT-2.3.1-1")));
        // 3.1.1's Appendix B lists 141 numbered statements, from 1.5.3-1 to 7.1.2-1.
        QCOMPARE(tables.v311.size(), 141);
        QVERIFY(tables.v311.contains(QStringLiteral("MQTT-4.6.0-6")));
        QVERIFY(!tables.v311.contains(QStringLiteral("MQTT-4.3.3-3")));
    }

    void placeholdersAndSectionNumbersAreRefused()
    {
        const SpecTables tables;
        const QString open = QStringLiteral("[MQTT");
        QCOMPARE(problemsOnLine(open + QStringLiteral("-4.3.3-?] a failing PUBREC"), tables).size(), 1);
        QCOMPARE(problemsOnLine(open + QStringLiteral("-3.1.2 / 3.2.2]"), tables).size(), 1);
        QCOMPARE(problemsOnLine(open + QStringLiteral("-4.3.2]"), tables).size(), 1);
        QCOMPARE(problemsOnLine(open + QStringLiteral("-4.3.3-99]"), tables).size(), 1);
        QCOMPARE(problemsOnLine(QStringLiteral("5.0 only: ") + open + QStringLiteral("-2.3.1-1]"), tables).size(), 1);
        QVERIFY(problemsOnLine(open + QStringLiteral("-4.3.3-10] until PUBREL"), tables).isEmpty());
    }

    // A citation is held to the version named before it on its line, else to the one the line names.
    void citationsMarked311AreHeldTo311()
    {
        const SpecTables tables;
        const QString open = QStringLiteral("[MQTT");
        // 4.3.3-3 is 5.0's sender rule; 3.1.1 has only 4.3.3-1 and -2.
        QCOMPARE(problemsOnLine(QStringLiteral("3.1.1 ") + open + QStringLiteral("-4.3.3-3] PUBREL"), tables).size(), 1);
        QCOMPARE(problemsOnLine(QStringLiteral("MQTT 3.1.1: ") + open + QStringLiteral("-3.2.2-7]"), tables).size(), 1);
        QVERIFY(problemsOnLine(open + QStringLiteral("-3.2.2-16] (3.1.1 ") + open + QStringLiteral("-3.1.3-6])"), tables).isEmpty());
        QVERIFY(problemsOnLine(QStringLiteral("3.1.1 ") + open + QStringLiteral("-3.3.5-1] overlapping"), tables).isEmpty());
        // 3.3.5-1 is no 5.0 statement: held to 5.0 by the marker before it.
        QCOMPARE(problemsOnLine(QStringLiteral("5.0 ") + open + QStringLiteral("-3.3.5-1]"), tables).size(), 1);
        // Each citation by the marker before it: both right here.
        QVERIFY(problemsOnLine(open + QStringLiteral("-3.1.4-3] 5.0: DISCONNECT; 3.1.1 ") + open + QStringLiteral("-3.1.4-2]"), tables)
                    .isEmpty());
        // An id's own digits are no version marker.
        QCOMPARE(problemsOnLine(open + QStringLiteral("-5.0.0-1] ") + open + QStringLiteral("-3.1.2-26]"), tables).size(), 1);
    }

    void everyCitedIdIsAStatementOfItsSpecification()
    {
        const SpecTables tables;
        const QStringList files = sourceFiles();
        QVERIFY(files.size() > 100);
        QStringList failures;
        for (const QString &path : files) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
            const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
            const QString relative = QDir(kSourceRoot).relativeFilePath(path);
            for (qsizetype i = 0; i < lines.size(); ++i)
                for (const QString &problem : problemsOnLine(lines[i], tables))
                    failures << QStringLiteral("%1:%2: %3").arg(relative).arg(i + 1).arg(problem);
        }
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestSpecIds)
#include "tst_spec_ids.moc"
