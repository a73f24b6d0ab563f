/*
 * The JNI shim between the Java classes of examples/java (package cn.wangge) and the C API
 * of an installed wangge. Each native method of cn.wangge.Native converts its arguments,
 * calls one wg_* function and converts its result; nothing else happens here:
 *
 * - Text goes both ways as UTF-8 in a Java byte[] (Java encodes and decodes it, since
 *   JNI's own "modified UTF-8" is not UTF-8 beyond the BMP); a Java null is a C NULL, which
 *   the library answers with WG_INVALID_INPUT naming the argument.
 * - A handle is a wg_store * carried in a Java long; cn.wangge.Store never passes one it
 *   has freed.
 * - Every string the library returns is freed here with wg_string_free, after its bytes are
 *   copied into Java.
 * - A failed call throws the exception cn.wangge.WanggeException.of(status, message) makes
 *   from its wg_status and the message wg_last_error gives right after it, on this thread.
 *
 * Built against the installed library (make test-java does it):
 *
 *   cc -std=c11 -fPIC -shared wangge_jni.c -I"$JAVA_HOME/include" \
 *      -I"$JAVA_HOME/include/linux" $(pkg-config --cflags --libs wangge) -o libwangge_jni.so
 */
#include <jni.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wangge.h>

/* cn.wangge.WanggeException (a global reference) and its static factory `of`. */
static jclass exception_class;
static jmethodID exception_of;

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
  (void)reserved;
  JNIEnv *env = NULL;
  if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
  jclass local = (*env)->FindClass(env, "cn/wangge/WanggeException");
  if (local == NULL) return JNI_ERR;
  exception_class = (jclass)(*env)->NewGlobalRef(env, local);
  (*env)->DeleteLocalRef(env, local);
  if (exception_class == NULL) return JNI_ERR;
  exception_of = (*env)->GetStaticMethodID(env, exception_class, "of",
                                           "(I[B)Lcn/wangge/WanggeException;");
  if (exception_of == NULL) return JNI_ERR;
  return JNI_VERSION_1_8;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *vm, void *reserved) {
  (void)reserved;
  JNIEnv *env = NULL;
  if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return;
  (*env)->DeleteGlobalRef(env, exception_class);
  exception_class = NULL;
}

static wg_store *store_of(jlong handle) { return (wg_store *)(intptr_t)handle; }

static void throw_out_of_memory(JNIEnv *env) {
  jclass oom = (*env)->FindClass(env, "java/lang/OutOfMemoryError");
  if (oom != NULL) {
    (*env)->ThrowNew(env, oom, "wangge JNI shim");
    (*env)->DeleteLocalRef(env, oom);
  }
}

/* A new Java byte[] holding the bytes of `s` without its NUL; NULL for NULL, or NULL with
 * an exception pending when it cannot be made. */
static jbyteArray bytes_of(JNIEnv *env, const char *s) {
  if (s == NULL) return NULL;
  size_t len = strlen(s);
  if (len > INT32_MAX) {
    throw_out_of_memory(env);
    return NULL;
  }
  jbyteArray array = (*env)->NewByteArray(env, (jsize)len);
  if (array != NULL) (*env)->SetByteArrayRegion(env, array, 0, (jsize)len, (const jbyte *)s);
  return array;
}

/* Throws the WanggeException for `status`, with the message of the last failed call on this
 * thread through `store` (NULL: the last one made without a handle). */
static void throw_status(JNIEnv *env, const wg_store *store, wg_status status) {
  char *message = NULL;
  if (wg_last_error(store, &message) != WG_OK) message = NULL;
  jbyteArray text = bytes_of(env, message);
  wg_string_free(message);
  if ((*env)->ExceptionCheck(env)) return;
  jobject error =
      (*env)->CallStaticObjectMethod(env, exception_class, exception_of, (jint)status, text);
  if (text != NULL) (*env)->DeleteLocalRef(env, text);
  if (error == NULL) return; /* the factory threw instead: that exception stays pending */
  if (!(*env)->ExceptionCheck(env)) (*env)->Throw(env, (jthrowable)error);
  (*env)->DeleteLocalRef(env, error);
}

/* The outcome of a call that writes a string to `out`: its bytes, the string freed; or, on
 * failure, NULL with the WanggeException thrown. */
static jbyteArray result(JNIEnv *env, const wg_store *store, wg_status status, char *out) {
  if (status != WG_OK) {
    wg_string_free(out);
    throw_status(env, store, status);
    return NULL;
  }
  jbyteArray array = bytes_of(env, out);
  wg_string_free(out);
  return array;
}

/* Writes to `*text` a NUL-terminated copy of the UTF-8 bytes `bytes` (NULL for NULL), to be
 * freed with free(); 0, with an exception pending, when it cannot be made. */
static int text_of(JNIEnv *env, jbyteArray bytes, char **text) {
  *text = NULL;
  if (bytes == NULL) return 1;
  jsize len = (*env)->GetArrayLength(env, bytes);
  char *copy = malloc((size_t)len + 1);
  if (copy == NULL) {
    throw_out_of_memory(env);
    return 0;
  }
  (*env)->GetByteArrayRegion(env, bytes, 0, len, (jbyte *)copy);
  copy[len] = '\0';
  *text = copy;
  return 1;
}

static void free_texts(char **texts, int n) {
  for (int i = 0; i < n; i++) free(texts[i]);
}

/* Copies the `n` jbyteArray arguments that follow into texts[0..n); 0, with nothing left
 * allocated and an exception pending, when one cannot be copied. */
static int texts_of(JNIEnv *env, char **texts, int n, ...) {
  va_list args;
  va_start(args, n);
  int ok = 1;
  for (int i = 0; i < n; i++) {
    jbyteArray bytes = va_arg(args, jbyteArray);
    if (ok && !text_of(env, bytes, &texts[i])) {
      free_texts(texts, i);
      ok = 0;
    }
    if (!ok) texts[i] = NULL;
  }
  va_end(args);
  return ok;
}

JNIEXPORT jbyteArray JNICALL Java_cn_wangge_Native_version(JNIEnv *env, jclass cls) {
  (void)cls;
  return bytes_of(env, wg_version()); /* static: not freed */
}

JNIEXPORT jlong JNICALL Java_cn_wangge_Native_open(JNIEnv *env, jclass cls, jbyteArray path,
                                                   jbyteArray options) {
  (void)cls;
  char *a[2];
  if (!texts_of(env, a, 2, path, options)) return 0;
  wg_store *store = NULL;
  wg_status status = wg_store_open(a[0], a[1], &store);
  free_texts(a, 2);
  if (status != WG_OK) {
    throw_status(env, NULL, status);
    return 0;
  }
  return (jlong)(intptr_t)store;
}

/* Closes the store for every handle on it, then frees the handle (also when closing
 * failed, after its message is read). */
JNIEXPORT void JNICALL Java_cn_wangge_Native_close(JNIEnv *env, jclass cls, jlong handle) {
  (void)cls;
  wg_store *store = store_of(handle);
  wg_status status = wg_store_close(store);
  if (status != WG_OK) throw_status(env, store, status);
  wg_store_free(store);
}

JNIEXPORT jbyteArray JNICALL Java_cn_wangge_Native_info(JNIEnv *env, jclass cls, jlong handle) {
  (void)cls;
  const wg_store *store = store_of(handle);
  char *out = NULL;
  wg_status status = wg_store_info(store, &out);
  return result(env, store, status, out);
}

JNIEXPORT jbyteArray JNICALL Java_cn_wangge_Native_unitAdd(JNIEnv *env, jclass cls, jlong handle,
                                                           jbyteArray code, jbyteArray name,
                                                           jbyteArray level, jbyteArray parent,
                                                           jbyteArray start) {
  (void)cls;
  const wg_store *store = store_of(handle);
  char *a[5];
  if (!texts_of(env, a, 5, code, name, level, parent, start)) return NULL;
  char *out = NULL;
  wg_status status = wg_unit_add(store, a[0], a[1], a[2], a[3], a[4], &out);
  free_texts(a, 5);
  return result(env, store, status, out);
}

JNIEXPORT jlong JNICALL Java_cn_wangge_Native_unitsAdd(JNIEnv *env, jclass cls, jlong handle,
                                                       jbyteArray units_json) {
  (void)cls;
  const wg_store *store = store_of(handle);
  char *a[1];
  if (!texts_of(env, a, 1, units_json)) return 0;
  size_t count = 0;
  wg_status status = wg_units_add_json(store, a[0], &count);
  free_texts(a, 1);
  if (status != WG_OK) {
    throw_status(env, store, status);
    return 0;
  }
  return (jlong)count;
}

JNIEXPORT jbyteArray JNICALL Java_cn_wangge_Native_unitGet(JNIEnv *env, jclass cls, jlong handle,
                                                           jbyteArray code, jbyteArray as_of) {
  (void)cls;
  const wg_store *store = store_of(handle);
  char *a[2];
  if (!texts_of(env, a, 2, code, as_of)) return NULL;
  char *out = NULL;
  wg_status status = wg_unit_get(store, a[0], a[1], &out);
  free_texts(a, 2);
  return result(env, store, status, out);
}

JNIEXPORT jbyteArray JNICALL Java_cn_wangge_Native_staffAdd(JNIEnv *env, jclass cls,
                                                            jlong handle, jbyteArray staff_id,
                                                            jbyteArray name, jbyteArray phone) {
  (void)cls;
  const wg_store *store = store_of(handle);
  char *a[3];
  if (!texts_of(env, a, 3, staff_id, name, phone)) return NULL;
  char *out = NULL;
  wg_status status = wg_staff_add(store, a[0], a[1], a[2], &out);
  free_texts(a, 3);
  return result(env, store, status, out);
}

JNIEXPORT jbyteArray JNICALL Java_cn_wangge_Native_householdAdd(
    JNIEnv *env, jclass cls, jlong handle, jbyteArray household_id, jbyteArray unit,
    jbyteArray address, jbyteArray kind, jbyteArray tags, jbyteArray start) {
  (void)cls;
  const wg_store *store = store_of(handle);
  char *a[6];
  if (!texts_of(env, a, 6, household_id, unit, address, kind, tags, start)) return NULL;
  char *out = NULL;
  wg_status status = wg_household_add(store, a[0], a[1], a[2], a[3], a[4], a[5], &out);
  free_texts(a, 6);
  return result(env, store, status, out);
}

JNIEXPORT jbyteArray JNICALL Java_cn_wangge_Native_visitRecord(JNIEnv *env, jclass cls,
                                                               jlong handle,
                                                               jbyteArray household_id,
                                                               jbyteArray staff_id,
                                                               jbyteArray channel, jbyteArray on,
                                                               jbyteArray note) {
  (void)cls;
  const wg_store *store = store_of(handle);
  char *a[5];
  if (!texts_of(env, a, 5, household_id, staff_id, channel, on, note)) return NULL;
  char *out = NULL;
  wg_status status = wg_visit_record(store, a[0], a[1], a[2], a[3], a[4], &out);
  free_texts(a, 5);
  return result(env, store, status, out);
}

JNIEXPORT jbyteArray JNICALL Java_cn_wangge_Native_entryRegister(JNIEnv *env, jclass cls,
                                                                 jlong handle,
                                                                 jbyteArray entry_json) {
  (void)cls;
  const wg_store *store = store_of(handle);
  char *a[1];
  if (!texts_of(env, a, 1, entry_json)) return NULL;
  char *out = NULL;
  wg_status status = wg_entry_register(store, a[0], &out);
  free_texts(a, 1);
  return result(env, store, status, out);
}

JNIEXPORT jbyteArray JNICALL Java_cn_wangge_Native_entrySignFor(JNIEnv *env, jclass cls,
                                                                jlong handle, jlong id,
                                                                jbyteArray staff_id,
                                                                jbyteArray at) {
  (void)cls;
  const wg_store *store = store_of(handle);
  char *a[2];
  if (!texts_of(env, a, 2, staff_id, at)) return NULL;
  char *out = NULL;
  wg_status status = wg_entry_sign_for(store, (int64_t)id, a[0], a[1], &out);
  free_texts(a, 2);
  return result(env, store, status, out);
}

JNIEXPORT jbyteArray JNICALL Java_cn_wangge_Native_report(JNIEnv *env, jclass cls, jlong handle,
                                                          jbyteArray unit, jbyteArray period) {
  (void)cls;
  const wg_store *store = store_of(handle);
  char *a[2];
  if (!texts_of(env, a, 2, unit, period)) return NULL;
  char *out = NULL;
  wg_status status = wg_report(store, a[0], a[1], &out);
  free_texts(a, 2);
  return result(env, store, status, out);
}
