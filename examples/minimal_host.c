/* minimal_host.c - the smallest useful host: loads the enabled extensions of a panel.ini, prints the menu an
 * admin user may see, and asks the auth providers about one API request. README.md shows this exact file. */
#include <panel/host.h>
#include <stdio.h>
#include <strings.h>

static const char *header(const panel_request_t *req, const char *name)
{
    return strcasecmp(name, "X-API-Key") == 0 ? req->req_ctx : NULL;  /* one header, from argv */
}

int main(int argc, char **argv)
{
    char err[512];
    panelhost_options_t opts = { .config_path = argc > 1 ? argv[1] : "panel.ini" };
    panelhost_t *host;
    if (panelhost_open(&opts, &host, err, sizeof err) != PANEL_OK) { fprintf(stderr, "%s\n", err); return 2; }
    panelhost_extensions_load(host, NULL, NULL);  /* the enabled ones; failures are logged, the rest load */

    panel_caller_t admin = {.struct_size = sizeof admin};
    if (panelhost_caller_init(host, &admin, "admin", PANEL_ORIGIN_CLI, 0, NULL, 0, err, sizeof err) == PANEL_OK) {
        const panel_menu_entry_t *menu[32];
        size_t n = panelhost_menu(host, &admin, menu, 32);
        for (size_t i = 0; i < n && i < 32; i++) printf("menu: %s -> %s\n", menu[i]->path, menu[i]->page_id);
    }

    panel_request_t req = { sizeof req, "GET", "/api/v1/ping", "local", argc > 2 ? argv[2] : NULL, header, NULL };
    panelhost_auth_outcome_t out;
    panelhost_authenticate(host, &req, &out);             /* PANEL_OK also for a denial: read out.allowed */
    printf("api: %d %s\n", out.allowed ? 200 : out.http_status, out.allowed ? out.principal : out.message);
    panelhost_close(host);
    return 0;
}
