package cn.wangge.example;

import cn.wangge.InvalidInputException;
import cn.wangge.NotFoundException;
import cn.wangge.Store;
import cn.wangge.WanggeException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A grid's month through the C API, from Java: opens a store in a new file, adds a county
 * down to one grid, registers a household, records a visit, registers an entry and signs
 * for it, prints the community's monthly report totals, and shows the typed exceptions for
 * bad unit codes. It checks what it prints and exits non-zero when anything is not as
 * expected ({@code make test-java} runs it).
 *
 * <pre>
 * java -Djava.library.path=build/java -cp build/java/classes cn.wangge.example.Example
 * </pre>
 */
public final class Example {
    private static final String GRID = "512021100001001";
    private static final String COMMUNITY = "512021100001";

    private Example() {}

    /**
     * Runs the example in a new temporary directory, removed afterwards.
     *
     * @param args none
     * @throws IOException when the temporary directory cannot be made or removed
     */
    public static void main(String[] args) throws IOException {
        // UTF-8 whatever the locale: the labels are Chinese.
        PrintStream out =
                new PrintStream(
                        new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        Path dir = Files.createTempDirectory("wangge-java");
        Path file = dir.resolve("county.db");
        try {
            run(out, file.toString());
        } finally {
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                Files.deleteIfExists(dir.resolve("county.db" + suffix));
            }
            Files.delete(dir);
        }
        out.println("Java 示例: 全部通过");
    }

    private static void run(PrintStream out, String path) {
        Store closed;
        try (Store store = Store.open(path, "{\"actor\":\"北坝社区管理员\"}")) {
            closed = store;
            out.println("wangge " + Store.version() + ", 库文件 " + field(store.info(), "path"));

            store.unitAdd("512021", "安岳县", "county", null, null);
            store.unitAdd("512021100", "岳阳镇", "township", "512021", null);
            long added =
                    store.unitsAdd(
                            "[{\"code\":\"512021100001\",\"name\":\"北坝社区\","
                                    + "\"level\":\"community\",\"parent\":\"512021100\"},"
                                    + "{\"code\":\"512021100001001\",\"name\":\"北坝一网格\","
                                    + "\"level\":\"grid\",\"parent\":\"512021100001\"}]");
            check(added == 2, "two units added in one batch, not " + added);
            String grid = store.unitGet(GRID, null);
            out.println("网格: " + field(grid, "code") + " " + field(grid, "name"));

            store.staffAdd("W1", "网格员甲", "13812345678");
            String household = store.householdAdd("H1", GRID, "北坝街1号", null, null, null);
            out.println(
                    "登记住户: " + field(household, "household_id") + " "
                            + field(household, "address"));

            String visit = store.visitRecord("H1", "W1", "home", "2024-03-10", "入户走访");
            out.println(
                    "走访记录: " + field(visit, "household_id") + " " + field(visit, "on") + " "
                            + field(visit, "channel") + " " + field(visit, "note"));

            String entry =
                    store.entryRegister(
                            "{\"unit\":\"" + GRID + "\",\"category\":\"市政设施\","
                                    + "\"summary\":\"北坝街下水道堵塞\","
                                    + "\"reported_at\":\"2024-03-04T09:00\","
                                    + "\"source\":\"hotline\",\"household_id\":\"H1\"}");
            long id = number(entry, "id");
            out.println(
                    "台账登记: #" + id + " " + field(entry, "category") + " "
                            + field(entry, "status") + ", 办理时限 " + field(entry, "deadline"));
            String signed = store.entrySignFor(id, "W1", "2024-03-04T10:00");
            check("signed_for".equals(field(signed, "status")), "signed for: " + signed);
            out.println(
                    "签收: #" + id + " " + field(signed, "status") + " "
                            + field(signed, "signed_at"));

            String report = store.report(COMMUNITY, "2024-03");
            String totals = report.substring(report.indexOf("\"totals\":"));
            long received = number(totals, "received");
            long pending = number(totals, "pending");
            long visitsHome = number(totals, "visits_home");
            long households = number(totals, "households");
            out.println(
                    "报表合计 (" + field(report, "name") + " " + field(report, "period") + "): 受理 "
                            + received + ", 待解决 " + pending + ", 入户走访 " + visitsHome
                            + ", 户数 " + households);
            check(
                    received == 1 && pending == 1 && visitsHome == 1 && households == 1,
                    "report totals: " + totals);

            // A county code must have six digits: refused as malformed, naming it.
            try {
                store.unitAdd("51202", "安岳县", "county", null, null);
                throw new AssertionError("a five-digit county code was accepted");
            } catch (InvalidInputException e) {
                show(out, e);
                check(e.getKind() == WanggeException.Kind.INVALID_INPUT, "kind " + e.getKind());
                check(e.getMessage().contains("51202"), "message " + e.getMessage());
            }
            // A well-formed code that names no unit.
            try {
                store.report("512099", "2024-03");
                throw new AssertionError("a report on an unknown unit was given");
            } catch (NotFoundException e) {
                show(out, e);
                check(e.getKind() == WanggeException.Kind.NOT_FOUND, "kind " + e.getKind());
                check(e.getMessage().contains("512099"), "message " + e.getMessage());
            }
        }
        try {
            closed.info();
            throw new AssertionError("a closed store answered");
        } catch (IllegalStateException e) {
            out.println("已关闭: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static void show(PrintStream out, WanggeException e) {
        out.println(
                "错误: " + e.getClass().getSimpleName() + " kind=" + e.getKind() + " status="
                        + e.getStatus() + ": " + e.getMessage());
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /**
     * The first string or number value of {@code "key":} in {@code json}, as text. Enough
     * for the flat values this example reads (no escapes); a real program uses a JSON
     * library.
     */
    private static String field(String json, String key) {
        String name = "\"" + key + "\":";
        int at = json.indexOf(name);
        check(at >= 0, "no " + key + " in " + json);
        int start = at + name.length();
        if (json.charAt(start) == '"') {
            return json.substring(start + 1, json.indexOf('"', start + 1));
        }
        int end = start;
        while (end < json.length() && ",}]".indexOf(json.charAt(end)) < 0) {
            end++;
        }
        return json.substring(start, end);
    }

    private static long number(String json, String key) {
        return Long.parseLong(field(json, key));
    }
}
