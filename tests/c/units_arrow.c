/* Units from a table: wg_units_add_arrow takes a stream of the Arrow C stream interface,
   made here by hand as nanoarrow or DuckDB would make one (columns of utf8 texts, one
   batch), and always releases it, whether the units are added or refused. */
#include <stdint.h>

#include "harness.h"

/* The Arrow C data and stream interfaces, as the Arrow specification writes them. */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
#define ARROW_FLAG_NULLABLE 2
struct ArrowSchema {
  const char *format;
  const char *name;
  const char *metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema **children;
  struct ArrowSchema *dictionary;
  void (*release)(struct ArrowSchema *);
  void *private_data;
};
struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void **buffers;
  struct ArrowArray **children;
  struct ArrowArray *dictionary;
  void (*release)(struct ArrowArray *);
  void *private_data;
};
#endif
#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE
struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
  int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
  const char *(*get_last_error)(struct ArrowArrayStream *);
  void (*release)(struct ArrowArrayStream *);
  void *private_data;
};
#endif

#define ROWS 2
#define MAX_COLUMNS 4

/* A table of up to four text columns of two rows (a NULL cell is a missing value), and
   what its stream hands out, all in one place that outlives the call. */
struct table {
  int columns;
  const char *names[MAX_COLUMNS];
  const char *cells[MAX_COLUMNS][ROWS];
  int fail_schema;
  int batches_left;
  int released;
  int32_t offsets[MAX_COLUMNS][ROWS + 1];
  char data[MAX_COLUMNS][128];
  uint8_t validity[MAX_COLUMNS];
  const void *buffers[MAX_COLUMNS][3];
  const void *struct_buffers[1];
  struct ArrowSchema child_schemas[MAX_COLUMNS];
  struct ArrowSchema *child_schema_list[MAX_COLUMNS];
  struct ArrowArray child_arrays[MAX_COLUMNS];
  struct ArrowArray *child_array_list[MAX_COLUMNS];
};

/* The buffers live in the table: releasing marks what was handed out as released. */
static void release_schema(struct ArrowSchema *schema) {
  for (int64_t i = 0; i < schema->n_children; i++) schema->children[i]->release = NULL;
  schema->release = NULL;
}

static void release_child_schema(struct ArrowSchema *schema) { schema->release = NULL; }

static void release_array(struct ArrowArray *array) {
  for (int64_t i = 0; i < array->n_children; i++) array->children[i]->release = NULL;
  array->release = NULL;
}

static void release_child_array(struct ArrowArray *array) { array->release = NULL; }

static int table_schema(struct ArrowArrayStream *stream, struct ArrowSchema *out) {
  struct table *t = stream->private_data;
  if (t->fail_schema) return 22; /* EINVAL */
  for (int c = 0; c < t->columns; c++) {
    struct ArrowSchema *child = &t->child_schemas[c];
    memset(child, 0, sizeof *child);
    child->format = "u";
    child->name = t->names[c];
    child->flags = ARROW_FLAG_NULLABLE;
    child->release = release_child_schema;
    t->child_schema_list[c] = child;
  }
  memset(out, 0, sizeof *out);
  out->format = "+s";
  out->name = "";
  out->n_children = t->columns;
  out->children = t->child_schema_list;
  out->release = release_schema;
  return 0;
}

static int table_next(struct ArrowArrayStream *stream, struct ArrowArray *out) {
  struct table *t = stream->private_data;
  memset(out, 0, sizeof *out);
  if (t->batches_left-- <= 0) return 0; /* the end: `out` released */
  for (int c = 0; c < t->columns; c++) {
    int32_t at = 0;
    int nulls = 0;
    t->validity[c] = 0;
    t->offsets[c][0] = 0;
    for (int r = 0; r < ROWS; r++) {
      const char *cell = t->cells[c][r];
      if (cell == NULL) {
        nulls++;
      } else {
        t->validity[c] |= (uint8_t)(1u << r);
        memcpy(t->data[c] + at, cell, strlen(cell));
        at += (int32_t)strlen(cell);
      }
      t->offsets[c][r + 1] = at;
    }
    t->buffers[c][0] = nulls ? &t->validity[c] : NULL;
    t->buffers[c][1] = t->offsets[c];
    t->buffers[c][2] = t->data[c];
    struct ArrowArray *child = &t->child_arrays[c];
    memset(child, 0, sizeof *child);
    child->length = ROWS;
    child->null_count = nulls;
    child->n_buffers = 3;
    child->buffers = t->buffers[c];
    child->release = release_child_array;
    t->child_array_list[c] = child;
  }
  t->struct_buffers[0] = NULL;
  out->length = ROWS;
  out->n_buffers = 1;
  out->buffers = t->struct_buffers;
  out->n_children = t->columns;
  out->children = t->child_array_list;
  out->release = release_array;
  return 0;
}

static const char *table_error(struct ArrowArrayStream *stream) {
  struct table *t = stream->private_data;
  return t->fail_schema ? "the table has no schema today" : NULL;
}

static void table_release(struct ArrowArrayStream *stream) {
  struct table *t = stream->private_data;
  t->released++;
  stream->release = NULL;
}

/* A stream over `t`, one batch. */
static struct ArrowArrayStream stream_of(struct table *t) {
  t->batches_left = 1;
  t->released = 0;
  struct ArrowArrayStream stream = {table_schema, table_next, table_error, table_release, t};
  return stream;
}

/* The two units of the table the tests start from: a township and its community. */
static struct table units_table(void) {
  struct table t;
  memset(&t, 0, sizeof t);
  t.columns = 4;
  const char *names[] = {"code", "name", "level", "parent"};
  const char *cells[][ROWS] = {{"512021102", "512021102001"},
                               {"通贤镇", "通贤社区"},
                               {"township", "community"},
                               {"512021", "512021102"}};
  for (int c = 0; c < 4; c++) {
    t.names[c] = names[c];
    t.cells[c][0] = cells[c][0];
    t.cells[c][1] = cells[c][1];
  }
  return t;
}

void test_units_from_an_arrow_stream(void) {
  wg_store *s = county();
  size_t added = 0;
  char *json = NULL;

  /* Refused: a missing column, a missing name, a schema that fails. Each stream is
     released, and nothing is added. */
  struct table t = units_table();
  t.columns = 2;
  struct ArrowArrayStream stream = stream_of(&t);
  EXPECT(s, wg_units_add_arrow(s, &stream, &added), WG_INVALID_INPUT, "missing columns: level");
  CHECK(t.released == 1 && stream.release == NULL);

  t = units_table();
  t.cells[1][1] = NULL;
  stream = stream_of(&t);
  EXPECT(s, wg_units_add_arrow(s, &stream, &added), WG_INVALID_INPUT, "unit 1 of the batch");
  CHECK(t.released == 1 && stream.release == NULL);
  EXPECT(s, wg_unit_get(s, "512021102", NULL, &(char *){NULL}), WG_NOT_FOUND, "512021102");

  /* Bytes that are not UTF-8 in a cell: the arrays are checked before they are read. */
  t = units_table();
  t.cells[1][0] = "\xff\xfe";
  stream = stream_of(&t);
  EXPECT(s, wg_units_add_arrow(s, &stream, &added), WG_INVALID_INPUT, "batches all read");
  CHECK(t.released == 1 && stream.release == NULL);

  t = units_table();
  t.fail_schema = 1;
  stream = stream_of(&t);
  EXPECT(s, wg_units_add_arrow(s, &stream, &added), WG_INVALID_INPUT, "invalid stream");
  CHECK(t.released == 1 && stream.release == NULL);

  /* A NULL stream, a stream released already, a NULL handle (the stream still taken). */
  EXPECT(s, wg_units_add_arrow(s, NULL, &added), WG_INVALID_INPUT, "stream");
  EXPECT(s, wg_units_add_arrow(s, &stream, &added), WG_INVALID_INPUT, "invalid stream");
  t = units_table();
  stream = stream_of(&t);
  EXPECT(NULL, wg_units_add_arrow(NULL, &stream, &added), WG_INVALID_INPUT, NULL);
  CHECK(t.released == 1 && stream.release == NULL);
  CHECK(added == 0);

  /* Added: both units, the community under the township. */
  t = units_table();
  stream = stream_of(&t);
  EXPECT(s, wg_units_add_arrow(s, &stream, &added), WG_OK, NULL);
  CHECK(added == 2);
  CHECK(t.released == 1 && stream.release == NULL);
  EXPECT(s, wg_unit_get(s, "512021102001", NULL, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"parent\":\"512021102\""));
  /* Added again, the same codes: a conflict, as for a JSON batch. */
  t = units_table();
  stream = stream_of(&t);
  EXPECT(s, wg_units_add_arrow(s, &stream, NULL), WG_CONFLICT, "512021102");
  CHECK(t.released == 1);
  wg_store_free(s);
}
