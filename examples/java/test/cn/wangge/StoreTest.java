package cn.wangge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the Java binding of examples/java against the installed library: every
 * {@code wg_status} of the header maps to its exception, each kind the library returns
 * arrives as its subclass with the library's message, text crosses both ways as UTF-8, and a
 * closed store refuses calls without touching the freed handle. A plain program (no test
 * library is needed): it exits non-zero on the first failed check.
 *
 * <pre>
 * java -Djava.library.path=build/java -cp build/java/classes:build/java/test-classes \
 *     cn.wangge.StoreTest include/wangge.h
 * </pre>
 */
public final class StoreTest {
    private static final AtomicInteger CHECKS = new AtomicInteger();

    private StoreTest() {}

    /**
     * Runs every check.
     *
     * @param args the path of the {@code wangge.h} the shim was built with
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        everyHeaderStatusHasItsKind(Path.of(args[0]));
        eachStatusMakesItsSubclass();
        theLibraryRefusalsArriveTyped();
        textCrossesAsUtf8();
        textCCannotCarryIsRefused();
        aClosedStoreRefusesCalls();
        closingWhileOtherThreadsCallIsSafe();
        System.out.println("StoreTest: " + CHECKS.get() + " checks passed");
    }

    /** Each {@code WG_X = n} of the header is Kind X (STORAGE for WG_STORAGE_ERROR ...). */
    private static void everyHeaderStatusHasItsKind(Path header) throws IOException {
        String text = Files.readString(header, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("^\\s*WG_([A-Z_]+) = (\\d+),", Pattern.MULTILINE).matcher(text);
        int seen = 0;
        while (m.find()) {
            String name = m.group(1).replaceFirst("_ERROR$", "");
            int status = Integer.parseInt(m.group(2));
            if (status == 0) {
                check(name.equals("OK"), "status 0 is " + name);
                continue;
            }
            seen++;
            WanggeException.Kind kind = WanggeException.Kind.of(status);
            check(kind.name().equals(name), "WG_" + m.group(1) + " = " + status + " is " + kind);
        }
        check(seen >= 7, "the header lists " + seen + " error statuses");
    }

    private static void eachStatusMakesItsSubclass() {
        Object[][] table = {
            {1, NotFoundException.class}, {2, InvalidInputException.class},
            {3, InvalidTransitionException.class}, {4, ConflictException.class},
            {5, PermissionDeniedException.class}, {6, StorageException.class},
            {7, WanggeException.class}, {8, BusyException.class}, {99, WanggeException.class},
            {-3, WanggeException.class},
        };
        for (Object[] row : table) {
            int status = (Integer) row[0];
            WanggeException e = WanggeException.of(status, "消息".getBytes(StandardCharsets.UTF_8));
            check(e.getClass() == row[1], status + " made " + e.getClass());
            check(e.getStatus() == status, "status " + e.getStatus());
            check("消息".equals(e.getMessage()), "message " + e.getMessage());
        }
        check(WanggeException.of(8, "busy") instanceof StorageException, "Busy is a storage error");
        check(WanggeException.of(8, "busy").getKind() == WanggeException.Kind.BUSY, "Busy's kind");
        check(WanggeException.of(7, "bug").getKind() == WanggeException.Kind.INTERNAL, "internal");
        check(WanggeException.of(99, "new").getKind() == WanggeException.Kind.UNKNOWN, "unknown");
        check("".equals(WanggeException.of(1, (byte[]) null).getMessage()), "no message");
    }

    private static void theLibraryRefusalsArriveTyped() throws IOException {
        Path dir = Files.createTempDirectory("wangge-java-test");
        Path file = dir.resolve("t.db");
        try {
            try (Store store = county(file.toString())) {
                expect(NotFoundException.class, "512099", () -> store.unitGet("512099", null));
                expect(InvalidInputException.class, "51202",
                        () -> store.unitAdd("51202", "x", "county", null, null));
                expect(InvalidInputException.class, "period",
                        () -> store.report("512021", "2024-Q5"));
                expect(ConflictException.class, null,
                        () -> store.householdAdd("H1", "512021100001001", "二号", null, null, null));
                String entry = store.entryRegister(
                        "{\"unit\":\"512021100001001\",\"category\":\"市政设施\","
                                + "\"summary\":\"路灯坏了\",\"reported_at\":\"2024-03-04T09:00\"}");
                long id = Long.parseLong(entry.replaceFirst("^.*?\"id\":(\\d+).*$", "$1"));
                store.entrySignFor(id, "W1", "2024-03-04T10:00");
                expect(InvalidTransitionException.class, null,
                        () -> store.entrySignFor(id, "W1", "2024-03-04T11:00"));
                expect(NotFoundException.class, null,
                        () -> store.entrySignFor(id + 1000, "W1", "2024-03-04T11:00"));
            }
            try (Store readOnly = Store.open(file.toString(), "{\"read_only\":true}")) {
                expect(PermissionDeniedException.class, null,
                        () -> readOnly.unitAdd("512021102", "x", "township", "512021", null));
                check(readOnly.info().contains("\"read_only\":true"), "read-only info");
            }
            // Open failures are read through wg_last_error(NULL): the message is there.
            Path text = dir.resolve("notes.txt");
            Files.writeString(text, "not a database, only text", StandardCharsets.UTF_8);
            try {
                Store.open(text.toString()).close();
                throw new AssertionError("a text file opened as a store");
            } catch (WanggeException e) {
                check(e.getKind() == WanggeException.Kind.STORAGE, "text file: " + e.getKind());
                check(!e.getMessage().isEmpty(), "text file: empty message");
            }
            Files.delete(text);
            expect(InvalidInputException.class, "path", () -> Store.open(""));
            expect(InvalidInputException.class, "key_hex",
                    () -> Store.open(":memory:", "{\"key_hex\":\"zz\"}"));
        } finally {
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                Files.deleteIfExists(dir.resolve("t.db" + suffix));
            }
            Files.delete(dir);
        }
    }

    private static void textCrossesAsUtf8() {
        try (Store store = county(":memory:")) {
            // Beyond the BMP: JNI's modified UTF-8 would mangle it, real UTF-8 does not.
            String name = "𠀾村 Ⅱ";
            store.unitAdd("512021102", name, "township", "512021", null);
            String unit = store.unitGet("512021102", null);
            check(unit.contains("\"name\":\"" + name + "\""), "round trip: " + unit);
            // The library names the bad code in its message: it comes back whole.
            expect(InvalidInputException.class, "\"𠀾\"", () -> store.unitGet("𠀾", null));
        }
    }

    private static void textCCannotCarryIsRefused() {
        try (Store store = county(":memory:")) {
            expect(InvalidInputException.class, "code", () -> store.unitGet(null, null));
            expect(InvalidInputException.class, "name",
                    () -> store.unitAdd("512021102", "a\0b", "township", "512021", null));
            expect(InvalidInputException.class, "name",
                    () -> store.unitAdd("512021102", "a\ud800b", "township", "512021", null));
            expect(NotFoundException.class, "512021102", () -> store.unitGet("512021102", null));
        }
    }

    private static void aClosedStoreRefusesCalls() {
        Store store = county(":memory:");
        check(!store.isClosed(), "open store closed");
        store.close();
        store.close();
        check(store.isClosed(), "closed store open");
        try {
            store.info();
            throw new AssertionError("a closed store answered");
        } catch (IllegalStateException e) {
            check(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    private static void closingWhileOtherThreadsCallIsSafe() throws InterruptedException {
        Store store = county(":memory:");
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Throwable> failures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 300; i++) {
                    try {
                        check(store.unitGet("512021100001001", null).contains("北坝一网格"), "unit");
                        answered.incrementAndGet();
                    } catch (IllegalStateException e) {
                        refused.incrementAndGet();
                    } catch (Throwable e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                        return;
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        while (answered.get() < 50 && threads.stream().anyMatch(Thread::isAlive)) {
            Thread.onSpinWait();
        }
        store.close();
        for (Thread thread : threads) {
            thread.join();
        }
        check(failures.isEmpty(), "thread failures: " + failures);
        check(answered.get() + refused.get() == 4 * 300, answered + " + " + refused);
    }

    /** A store with a county, one township, community and grid, staff W1, household H1. */
    private static Store county(String path) {
        Store store = Store.open(path);
        store.unitAdd("512021", "安岳县", "county", null, null);
        store.unitAdd("512021100", "岳阳镇", "township", "512021", null);
        store.unitAdd("512021100001", "北坝社区", "community", "512021100", null);
        store.unitAdd("512021100001001", "北坝一网格", "grid", "512021100001", null);
        store.staffAdd("W1", "网格员甲", null);
        store.householdAdd("H1", "512021100001001", "北坝街1号", null, null, null);
        return store;
    }

    /** Checks that {@code call} throws exactly {@code type}, its message holding {@code needle}. */
    private static void expect(
            Class<? extends WanggeException> type, String needle, Runnable call) {
        try {
            call.run();
        } catch (WanggeException e) {
            check(e.getClass() == type, "wanted " + type.getSimpleName() + ", got " + e);
            check(needle == null || e.getMessage().contains(needle),
                    "message \"" + e.getMessage() + "\" lacks \"" + needle + "\"");
            return;
        }
        throw new AssertionError("wanted " + type.getSimpleName() + ", got a result");
    }

    private static void check(boolean ok, String what) {
        CHECKS.incrementAndGet();
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
