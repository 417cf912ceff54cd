// Every bracketed MQTT statement id cited in the sources (core, ui, app, tests) is a real normative statement id
// of the specification it concerns, from the tables in tests/data (spec_ids_v5.txt,
// spec_ids_v311.txt). A placeholder, a section number or a made-up id fails with file:line.

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

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

// What is wrong with the ids cited on one line, or nothing. A line that speaks of 5.0 alone is held
// to the 5.0 table; any other line to either table (the 3.1.1 table is not complete yet).
QStringList problemsOnLine(const QString &line, const SpecTables &tables)
{
    static const QRegularExpression cited(QStringLiteral(R"(\[(MQTT-[^\]]*)\])"));
    static const QRegularExpression shape(QStringLiteral(R"(^MQTT-\d+(\.\d+)+-\d+$)"));
    const bool only5 = line.contains(QStringLiteral("5.0")) && !line.contains(QStringLiteral("3.1.1"));
    QStringList problems;
    for (auto it = cited.globalMatch(line); it.hasNext();) {
        const QString id = it.next().captured(1);
        if (!shape.match(id).hasMatch())
            problems << QStringLiteral("[%1] is not a statement id").arg(id);
        else if (only5 ? !tables.v5.contains(id) : !tables.v5.contains(id) && !tables.v311.contains(id))
            problems << QStringLiteral("[%1] is no statement of MQTT %2").arg(id, only5 ? QStringLiteral("5.0")
                                                                                        : QStringLiteral("5.0 or 3.1.1"));
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
