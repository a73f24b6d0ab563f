package cn.wangge;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongFunction;

/**
 * A wangge store (网格库) opened through the C API: a {@code wg_store *} handle and the
 * functions used on it, each a thin call of its {@code wg_*} namesake. Results are the
 * library's JSON text, as {@code wangge.h} documents each shape; a refused call throws the
 * {@link WanggeException} subclass of its status, with the library's message.
 *
 * <p>Dates are ISO text ({@code "2024-03-10"}), moments RFC 3339 or local time text
 * ({@code "2024-03-04T09:00"}); a {@code null} optional argument means what NULL means in
 * C. A store may be used from several threads. {@link #close()} frees the handle; a call
 * after it throws {@link IllegalStateException}.
 */
public final class Store implements AutoCloseable {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** The {@code wg_store *}, 0 once closed (cleared under the write lock). */
    private long handle;

    private Store(long handle) {
        this.handle = handle;
    }

    /**
     * The library's version ({@code wg_version}).
     *
     * @return its version text, such as {@code "0.1.0"}
     */
    public static String version() {
        return text(Native.version());
    }

    /**
     * Opens (creating if needed) the store at {@code path} with default options
     * ({@code wg_store_open}).
     *
     * @param path a file path, or {@code ":memory:"}
     * @return the open store, to be closed
     */
    public static Store open(String path) {
        return open(path, null);
    }

    /**
     * Opens (creating if needed) the store at {@code path} ({@code wg_store_open}).
     *
     * @param path a file path, or {@code ":memory:"}
     * @param optionsJson a {@code store_options} JSON object ({@code "actor"},
     *     {@code "key_hex"}, {@code "read_only"}, ...), or {@code null} for the defaults
     * @return the open store, to be closed
     */
    public static Store open(String path, String optionsJson) {
        return new Store(Native.open(utf8("path", path), utf8("options_json", optionsJson)));
    }

    /**
     * What the store is ({@code wg_store_info}): path, versions, levels, actor.
     *
     * @return a {@code store_info} JSON object
     */
    public String info() {
        return call(h -> text(Native.info(h)));
    }

    /**
     * Adds a unit ({@code wg_unit_add}).
     *
     * @param code its code, of the length its level requires
     * @param name its name
     * @param level its level: {@code county}, {@code township}, {@code community},
     *     {@code grid}, ...
     * @param parent its parent's code; {@code null} for a root
     * @param start the day it exists from; {@code null}: always, or as long as its parent
     * @return the new {@code unit}, JSON
     */
    public String unitAdd(String code, String name, String level, String parent, String start) {
        byte[][] a = {
            utf8("code", code), utf8("name", name), utf8("level", level),
            utf8("parent", parent), utf8("start", start)
        };
        return call(h -> text(Native.unitAdd(h, a[0], a[1], a[2], a[3], a[4])));
    }

    /**
     * Adds the units of a JSON array in one transaction, all or none
     * ({@code wg_units_add_json}).
     *
     * @param unitsJson an array of {@code {"code", "name", "level", "parent"?, "start"?}}
     * @return how many were added
     */
    public long unitsAdd(String unitsJson) {
        byte[] units = utf8("units_json", unitsJson);
        return call(h -> Native.unitsAdd(h, units));
    }

    /**
     * A unit as it stood on a day ({@code wg_unit_get}).
     *
     * @param code its code
     * @param asOf the day; {@code null}: today
     * @return the {@code unit}, JSON
     */
    public String unitGet(String code, String asOf) {
        byte[][] a = {utf8("code", code), utf8("as_of", asOf)};
        return call(h -> text(Native.unitGet(h, a[0], a[1])));
    }

    /**
     * Adds a staff member ({@code wg_staff_add}).
     *
     * @param staffId their id
     * @param name their name
     * @param phone their phone; {@code null}: none
     * @return the {@code staff}, JSON, the phone masked
     */
    public String staffAdd(String staffId, String name, String phone) {
        byte[][] a = {utf8("staff_id", staffId), utf8("name", name), utf8("phone", phone)};
        return call(h -> text(Native.staffAdd(h, a[0], a[1], a[2])));
    }

    /**
     * Registers a household (户) living in a grid or building ({@code wg_household_add}).
     *
     * @param householdId its id
     * @param unit the grid or building it lives in
     * @param address its address
     * @param kind {@code registered}, {@code floating} or {@code rental}; {@code null}: registered
     * @param tags {@code ;}-separated tag kinds; {@code null} or empty: none
     * @param start the day it joins the registry; {@code null}: always
     * @return the new {@code household}, JSON
     */
    public String householdAdd(
            String householdId, String unit, String address, String kind, String tags,
            String start) {
        byte[][] a = {
            utf8("household_id", householdId), utf8("unit", unit), utf8("address", address),
            utf8("kind", kind), utf8("tags", tags), utf8("start", start)
        };
        return call(h -> text(Native.householdAdd(h, a[0], a[1], a[2], a[3], a[4], a[5])));
    }

    /**
     * Records a contact with a household (走访) ({@code wg_visit_record}).
     *
     * @param householdId the household
     * @param staffId who made it
     * @param channel {@code home} or {@code phone}
     * @param on its day
     * @param note free text; {@code null}: empty
     * @return the {@code visit}, JSON
     */
    public String visitRecord(
            String householdId, String staffId, String channel, String on, String note) {
        byte[][] a = {
            utf8("household_id", householdId), utf8("staff_id", staffId),
            utf8("channel", channel), utf8("on", on), utf8("note", note)
        };
        return call(h -> text(Native.visitRecord(h, a[0], a[1], a[2], a[3], a[4])));
    }

    /**
     * Registers a ledger entry (台账/诉求) ({@code wg_entry_register}).
     *
     * @param entryJson a {@code new_entry} JSON object: {@code "unit"}, {@code "summary"},
     *     {@code "reported_at"} and optional keys
     * @return the {@code entry}, JSON; its {@code "id"} names it in later calls
     */
    public String entryRegister(String entryJson) {
        byte[] entry = utf8("entry_json", entryJson);
        return call(h -> text(Native.entryRegister(h, entry)));
    }

    /**
     * The entry's handler signs for it (签收) ({@code wg_entry_sign_for}).
     *
     * @param id the entry's id
     * @param staffId the staff member who signs
     * @param at when
     * @return the {@code entry} as it now stands, JSON
     */
    public String entrySignFor(long id, String staffId, String at) {
        byte[][] a = {utf8("staff_id", staffId), utf8("at", at)};
        return call(h -> text(Native.entrySignFor(h, id, a[0], a[1])));
    }

    /**
     * A unit's report over a period (报表) ({@code wg_report}).
     *
     * @param unit the unit's code
     * @param period {@code 2024-03-17}, {@code 2024-W11}, {@code 2024-03}, {@code 2024-Q1},
     *     {@code 2024-H1} or {@code 2024}
     * @return the {@code report}, JSON: {@code "totals"} and one row per direct child
     */
    public String report(String unit, String period) {
        byte[][] a = {utf8("unit", unit), utf8("period", period)};
        return call(h -> text(Native.report(h, a[0], a[1])));
    }

    /**
     * Closes the store ({@code wg_store_close}) and frees its handle ({@code wg_store_free}).
     * Closing twice is harmless; waits for calls under way on other threads.
     */
    @Override
    public void close() {
        Lock write = lock.writeLock();
        write.lock();
        try {
            long h = handle;
            handle = 0;
            if (h != 0) {
                Native.close(h);
            }
        } finally {
            write.unlock();
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        Lock read = lock.readLock();
        read.lock();
        try {
            return handle == 0;
        } finally {
            read.unlock();
        }
    }

    /** Runs {@code body} on the live handle; the read lock keeps close() out meanwhile. */
    private <T> T call(LongFunction<T> body) {
        Lock read = lock.readLock();
        read.lock();
        try {
            if (handle == 0) {
                throw new IllegalStateException("store is closed");
            }
            return body.apply(handle);
        } finally {
            read.unlock();
        }
    }

    private static String text(byte[] utf8) {
        return utf8 == null ? null : new String(utf8, StandardCharsets.UTF_8);
    }

    /**
     * The UTF-8 bytes of argument {@code name}, {@code null} for {@code null}. Text C cannot
     * carry is refused as the library refuses text that is not UTF-8: a lone surrogate, and
     * a NUL character, which would end the C string early.
     */
    private static byte[] utf8(String name, String value) {
        if (value == null) {
            return null;
        }
        if (value.indexOf('\0') >= 0) {
            throw WanggeException.of(
                    WanggeException.Kind.INVALID_INPUT.status(),
                    "invalid " + name + ": holds a NUL character, which C text cannot carry");
        }
        CharsetEncoder encoder =
                StandardCharsets.UTF_8
                        .newEncoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer bytes = encoder.encode(CharBuffer.wrap(value));
            byte[] out = new byte[bytes.remaining()];
            bytes.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw WanggeException.of(
                    WanggeException.Kind.INVALID_INPUT.status(),
                    "invalid " + name + ": holds a lone surrogate, which is not text");
        }
    }
}
