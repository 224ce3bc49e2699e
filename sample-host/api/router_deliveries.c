/* router_deliveries.c - the delivery routes of the API: POST /api/v1/deliveries/pull (form `limit=N`) answers
 * {"items":[{"id","username","command"}]}, the oldest waiting first; POST /api/v1/deliveries/ack (JSON
 * {"ids":[...]}) answers {"acked":N}. Bodies are read by api_body.c, the queue is deliveries.c, opened at the
 * first delivery request of the process. */
#include <stdio.h>
#include <stdlib.h>

#include "api_body.h"
#include "deliveries.h"
#include "router_routes.h"

/* Said to API clients; the file and the reason are not theirs to know (`sample-host deliveries` shows them). */
#define QUEUE_DOWN "the delivery queue cannot be used now; try again later"

/* The router's queue, opened now when it is not yet; NULL with err when it cannot be. */
static deliveries_t *queue(router_t *router, char *err, size_t err_len)
{
    pthread_mutex_lock(&router->lock);
    if (router->deliveries == NULL)
        deliveries_open(panelhost_data_dir(router->host), &router->deliveries, err, err_len);
    deliveries_t *d = router->deliveries;
    pthread_mutex_unlock(&router->lock);
    return d;
}

/* Appends the item to the array at *ctx (NULL once building it failed). */
static int item_to_json(void *ctx, const delivery_t *item)
{
    json_t **items = ctx;
    *items = json_doc_append(*items, json_pack("{s:I,s:o,s:o}", "id", (json_int_t)item->id, "username",
                                               json_doc_string(item->username), "command",
                                               json_doc_string(item->command)));
    return 0;
}

int route_deliveries_pull(const route_context_t *ctx, json_t **body)
{
    char err[512] = "";
    int limit = 0;
    if (api_body_pull_limit(ctx->content_type, ctx->request->body, ctx->request->body_len, &limit, err,
                            sizeof err) != 0)
        return route_error(body, 400, "bad_request", err);
    deliveries_t *d = queue(ctx->router, err, sizeof err);
    if (d == NULL)
        return route_error(body, 503, "queue_unavailable", QUEUE_DOWN);
    json_t *items = json_array();
    if (deliveries_pull(d, limit, item_to_json, &items, err, sizeof err) != 0) {
        json_decref(items);
        return route_error(body, 503, "queue_unavailable", QUEUE_DOWN);
    }
    *body = json_pack("{s:o}", "items", items);
    return 200;
}

int route_deliveries_ack(const route_context_t *ctx, json_t **body)
{
    char err[512] = "";
    int64_t *ids = malloc(API_ACK_IDS_MAX * sizeof *ids);
    if (ids == NULL)
        return route_error(body, 500, "internal", "the server ran out of memory");
    size_t n = 0;
    int status = 200;
    if (api_body_ack_ids(ctx->content_type, ctx->request->body, ctx->request->body_len, ids, API_ACK_IDS_MAX,
                         &n, err, sizeof err) != 0) {
        status = route_error(body, 400, "bad_request", err);
    } else {
        deliveries_t *d = queue(ctx->router, err, sizeof err);
        size_t acked = 0;
        if (d == NULL || deliveries_ack(d, ids, n, panelhost_now(ctx->router->host), &acked, err,
                                        sizeof err) != 0) {
            status = route_error(body, 503, "queue_unavailable", QUEUE_DOWN);
        } else {
            *body = json_pack("{s:I}", "acked", (json_int_t)acked);
        }
    }
    free(ids);
    return status;
}
