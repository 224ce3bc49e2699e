/* minimal_host.c - the smallest useful host: loads the enabled extensions of a panel.ini, prints the menu an
 * admin user may see, and asks the auth providers about one API request. README.md shows this exact file. */
#include <panel/host.h>
#include <stdio.h>

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

    panelhost_header_t key = { "X-API-Key", argc > 2 ? argv[2] : "" };  /* one header, from argv */
    panelhost_request_t req = { .method = "GET", .path = "/api/v1/ping", .client_addr = "local",
                                .scope = PANEL_SCOPE_NONE, .headers = &key, .n_headers = argc > 2 };
    panelhost_auth_outcome_t out = { .struct_size = sizeof out };
    panelhost_authenticate(host, &req, &out);             /* PANEL_OK also for a denial: read out.allowed */
    printf("api: %d %s\n", out.allowed ? 200 : out.http_status, out.allowed ? out.principal : out.message);
    panelhost_close(host);
    return 0;
}
