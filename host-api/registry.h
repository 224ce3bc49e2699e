/* registry.h - libpanelhost's private interface between the registry's files: the rule tables that describe
 * each kind of descriptor (registry.c runs them), the kinds themselves (registry_kinds.c) and the action
 * parameters (registry_params.c). Nothing here is API. */
#ifndef PANELHOST_REGISTRY_H
#define PANELHOST_REGISTRY_H

#include <stddef.h>

#include "internal.h"

/* What a rule checks of one field of a descriptor. */
enum {
    RULE_ID,         /* the id: 1..64 bytes of [a-z0-9_-] */
    RULE_ID_PATH,    /* the id: 1..64 bytes of [a-z0-9_./-] (host-wide ids) */
    RULE_LABEL,      /* required, one line of text */
    RULE_TEXT,       /* nullable, multi-line text */
    RULE_PERMISSION, /* a permission name, e.g. "settings.api_key" (no '*') */
    RULE_MENU_PATH,  /* labels joined by " > " */
    RULE_PAGE_REF,   /* a page id of this plugin (whether it exists is checked when init returns) */
    RULE_FLAGS,      /* uint32_t of PANEL_FLAG_* bits this host knows; precedes RULE_CONFIRM */
    RULE_CONFIRM,    /* required multi-line text when the flags hold PANEL_FLAG_DANGEROUS, else nullable */
    RULE_CALLBACK,   /* a required function pointer */
    RULE_STRING,     /* a nullable string the kind's hook checks; copied like every string rule */
};

typedef struct rule {
    uint16_t offset;  /* offsetof the field in the descriptor */
    uint8_t rule;     /* RULE_* */
    const char *name; /* the field's name in messages */
} rule_t;

#define RULE(type, field, rule) {(uint16_t)offsetof(type, field), rule, #field}

/* What ph_reg_register needs to know while running a kind's hook. */
typedef struct reg_ctx {
    ph_plugin_t *plugin;
    ph_page_rec_t *page; /* the page a field, table or action goes on; NULL for the others */
} reg_ctx_t;

typedef struct kind {
    const char *name;     /* for messages: "page", "field", ... */
    size_t v10_size;      /* the smallest struct_size accepted (PH_V10_*) */
    size_t desc_size;     /* sizeof the host's descriptor */
    size_t rec_size;      /* bytes allocated per record; the descriptor comes first */
    const rule_t *rules;  /* rules[0] checks the id */
    size_t n_rules;
    int on_page;          /* 1: registered on a page of the plugin (the page_id argument) */
    const char *conflict; /* the message for a taken id when not on a page */
    /* The records whose ids this one must not repeat, where it is appended (NULL for parameters). */
    void ***(*list)(const reg_ctx_t *ctx, size_t **n);
    /* nullable. What the rules cannot say: cross-field checks and nested arrays, which it replaces by
     * host-owned copies (freed by free_extra, also when a later step fails). PANEL_OK or a code with why. */
    int32_t (*check)(const reg_ctx_t *ctx, void *desc, char *why, size_t why_len);
    void (*free_extra)(void *desc); /* nullable; frees what check copied */
    void (*attach)(const reg_ctx_t *ctx, void *rec); /* nullable; sets owner and order of a record */
} kind_t;

#define DESC_MAX 256 /* bytes of the largest host descriptor (checked per kind in registry_kinds.c) */

/* Why a text is refused, or NULL. Labels are one line; help and confirmation texts may hold newlines. */
const char *ph_reg_text_problem(const char *s, int required, int multiline);
/* Frees every string of a host copy of kind `k` (and what its check copied); not the copy itself. */
void ph_reg_free_desc(const kind_t *k, void *desc);
/* Replaces every string of `desc` by a copy; 0 when out of memory, in which case the strings not yet copied
 * are NULL and the copy can be freed with ph_reg_free_desc. */
int ph_reg_dup_strings(const kind_t *k, void *desc);
/* Validates the plugin's descriptor `src` and writes a copy of it (desc_size bytes) into `desc`, or returns a
 * code with why. Checks the size and the id (rules[0]; *id_out is the id for messages); the other rules are
 * ph_reg_check_rules's. */
int32_t ph_reg_copy_and_check(const kind_t *k, const void *src, unsigned char *desc, char *why, size_t why_len,
                              const char **id_out);
/* Runs every rule but the id's on `desc`. PANEL_OK or PANEL_E_INVALID with why. */
int32_t ph_reg_check_rules(const kind_t *k, const unsigned char *desc, char *why, size_t why_len);
/* The one registration: validates `src` as kind `k` for the plugin of `table` (on page `page_id` for kinds on a
 * page), copies it and appends the record. Any failure leaves nothing behind and is reported to the plugin,
 * its first registration error and the host log. */
int32_t ph_reg_register(const kind_t *k, const panel_host_t *table, const char *page_id, const void *src,
                        char *err, size_t err_len);

/* registry_params.c */
/* Validates and copies one parameter into *out (NULL on failure, with the reason in why). */
int32_t ph_reg_copy_param(const panel_param_t *src, panel_param_t **out, char *why, size_t why_len);
/* Frees a parameter copied by ph_reg_copy_param (NULL is ignored). */
void ph_reg_free_param(panel_param_t *param);

#endif /* PANELHOST_REGISTRY_H */
