package cn.wangge;

/**
 * The native methods of the JNI shim ({@code libwangge_jni.so}, from
 * {@code examples/java/c/wangge_jni.c}), one per C function used. Text is UTF-8 in a
 * {@code byte[]} both ways, {@code null} for C's NULL; a handle is a {@code wg_store *} in a
 * {@code long}. A failed call throws the {@link WanggeException} of its status. Only
 * {@link Store} calls these, with a handle it has not freed.
 */
final class Native {
    static {
        System.loadLibrary("wangge_jni");
    }

    private Native() {}

    static native byte[] version();

    static native long open(byte[] path, byte[] optionsJson);

    static native void close(long store);

    static native byte[] info(long store);

    static native byte[] unitAdd(
            long store, byte[] code, byte[] name, byte[] level, byte[] parent, byte[] start);

    static native long unitsAdd(long store, byte[] unitsJson);

    static native byte[] unitGet(long store, byte[] code, byte[] asOf);

    static native byte[] staffAdd(long store, byte[] staffId, byte[] name, byte[] phone);

    static native byte[] householdAdd(
            long store,
            byte[] householdId,
            byte[] unit,
            byte[] address,
            byte[] kind,
            byte[] tags,
            byte[] start);

    static native byte[] visitRecord(
            long store, byte[] householdId, byte[] staffId, byte[] channel, byte[] on, byte[] note);

    static native byte[] entryRegister(long store, byte[] entryJson);

    static native byte[] entrySignFor(long store, long id, byte[] staffId, byte[] at);

    static native byte[] report(long store, byte[] unit, byte[] period);
}
