#define FFI_SCOPE "panel"
#define FFI_LIB "libpanelhost.so.2"
/* panel.h - the declarations PHP's FFI reads for the binding (FFI::load in preload.php, FFI::cdef in
 * src/Native.php): the part of include/panel/host.h and include/panel/plugin.h the binding calls, in the ABI
 * 1.2 layouts that plugin.h asserts (the binding's tests compare every FFI::sizeof with those sizes): the 1.1
 * fields (records, row actions, choice labels, the created record) follow each struct's 1.0 end, as in
 * plugin.h, and the binding sets every struct_size it hands over to FFI::sizeof of its struct. Callback
 * members are declared void *: the binding never calls them, and a pointer is a pointer. No preprocessor
 * lines other than FFI_SCOPE and FFI_LIB, which FFI::load and ffi.preload read only as the first lines of the
 * file (make install rewrites FFI_LIB to the installed library's path). */

typedef struct panelhost panelhost_t;
typedef struct panelhost_rows panelhost_rows_t;

typedef struct panel_caller {
    uint32_t struct_size;
    const char *user;
    const char *role;
    int32_t origin;
    int32_t confirmed;
    int64_t os_uid;
    const char *client_addr;
    void *host_ctx;
    void *has_permission;
} panel_caller_t;

typedef struct panel_menu_entry {
    uint32_t struct_size;
    const char *id;
    const char *path;
    const char *page_id;
    int32_t order;
    const char *permission;
} panel_menu_entry_t;

typedef struct panel_page {
    uint32_t struct_size;
    const char *id;
    const char *title;
    const char *description;
    const char *permission;
    void *status;
    /* since 1.3 */
    uint32_t status_summary_lines;
    uint32_t reserved;
} panel_page_t;

typedef struct panel_field {
    uint32_t struct_size;
    const char *id;
    const char *label;
    const char *help;
    int32_t type;
    uint32_t flags;
    const char *confirm;
    void *get;
    void *validate;
    void *set;
    /* since 1.3 */
    void *available;
} panel_field_t;

typedef struct panel_table {
    uint32_t struct_size;
    const char *id;
    const char *title;
    const char **columns;
    uint32_t n_columns;
    uint32_t page_rows;
    void *read;
    /* since 1.1 */
    uint32_t row_id_column;
    uint32_t reserved;
    /* since 1.3 (libpanelhost 2.1): a time series; read only when struct_size >= 80 */
    uint32_t time_column;
    uint32_t group_column;
    uint32_t series_columns;
    uint32_t series_flags;
    const char *series_unit;
} panel_table_t;

typedef struct panel_param {
    uint32_t struct_size;
    const char *id;
    const char *label;
    const char *help;
    int32_t type;
    const char *choices;
    const char *default_value;
    /* since 1.1 */
    const char *choice_labels;
    /* since 1.3 (read only when struct_size covers it) */
    uint32_t edits_column;
    uint32_t reserved;
} panel_param_t;

typedef struct panel_result {
    uint32_t struct_size;
    char *message;
    size_t message_len;
    char *secret;
    size_t secret_len;
    /* since 1.1 */
    char *record;
    size_t record_len;
} panel_result_t;

typedef struct panel_action {
    uint32_t struct_size;
    const char *id;
    const char *label;
    const char *help;
    uint32_t flags;
    const char *confirm;
    const panel_param_t **params;
    uint32_t n_params;
    void *run;
    /* since 1.1 */
    const char *row_table;
    void *available;
} panel_action_t;

int32_t panelhost_process_open(const char *config_path, uint32_t flags, panelhost_t **out, char *err,
                               size_t err_len);
void panelhost_process_close(void);
const char *panelhost_config_get(const panelhost_t *host, const char *section, const char *key);
const char *panelhost_data_dir(const panelhost_t *host);
int32_t panelhost_role_allows(const panelhost_t *host, const char *role, const char *permission);
int32_t panelhost_caller_init(const panelhost_t *host, panel_caller_t *caller, const char *user, int32_t origin,
                              int64_t os_uid, const char *client_addr, int32_t confirmed, char *err,
                              size_t err_len);
size_t panelhost_menu(const panelhost_t *host, const panel_caller_t *caller, const panel_menu_entry_t **out,
                      size_t max);
const panel_page_t *panelhost_page(const panelhost_t *host, const char *page_id);
const panel_field_t *panelhost_field_at(const panelhost_t *host, const char *page_id, size_t i);
const panel_table_t *panelhost_table_at(const panelhost_t *host, const char *page_id, size_t i);
const panel_action_t *panelhost_action_at(const panelhost_t *host, const char *page_id, size_t i);
int32_t panelhost_field_get(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                            const char *field_id, char *out, size_t out_len, char *err, size_t err_len);
int32_t panelhost_field_set(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                            const char *field_id, const char *value, size_t value_len, char *msg,
                            size_t msg_len);
int32_t panelhost_action_run(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                             const char *action_id, const char **arg_names, const char **arg_values,
                             size_t n_args, panel_result_t *result);
int32_t panelhost_action_run_record(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                                    const char *action_id, const char *record_id, const char **arg_names,
                                    const char **arg_values, size_t n_args, panel_result_t *result);
int32_t panelhost_action_available(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                                   const char *action_id, const char *record_id, char *reason,
                                   size_t reason_len);
/* since libpanelhost 2.1 (ABI 1.3) */
int32_t panelhost_field_available(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                                  const char *field_id, char *reason, size_t reason_len);
panelhost_t *panelhost_process_host(const char *config_path);
const char *panelhost_process_verdict(const char *config_path, const char *scope, const char *request,
                                      size_t request_len);
int32_t panelhost_process_report_leak(const char *config_path, const char *credential, size_t credential_len,
                                      const char *found_at, const char *source, const char *reporter_addr,
                                      char *err, size_t err_len);
int32_t panelhost_page_status_rows(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                                   panelhost_rows_t **out, char *err, size_t err_len);
int32_t panelhost_table_rows(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                             const char *table_id, uint64_t offset, uint32_t limit, panelhost_rows_t **out,
                             char *err, size_t err_len);
size_t panelhost_rows_count(const panelhost_rows_t *rows);
uint32_t panelhost_rows_width(const panelhost_rows_t *rows, size_t i);
const char *panelhost_rows_cell(const panelhost_rows_t *rows, size_t i, uint32_t j);
void panelhost_rows_free(panelhost_rows_t *rows);
