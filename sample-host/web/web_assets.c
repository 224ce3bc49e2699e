/* web_assets.c - the admin panel's built-in style sheet, script and tab icon (see web_assets.h). The script only adds
 * the copy button's behaviour; every page works without it. */
#include "web_assets.h"

#include <string.h>

static const char panel_css[] =
    "*,*::before,*::after{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f6f7}\n"
    "header{display:flex;flex-wrap:wrap;gap:.3em 1em;justify-content:space-between;align-items:center;"
    "padding:.6em 1.2em;background:#23303f;color:#fff}\n"
    "header a{color:#fff}header form{display:inline;margin:0}\n"
    ".layout{display:flex;gap:1.5em;padding:1.2em}\n"
    "nav{min-width:12em}nav ul{list-style:none;padding-left:0;margin:0}nav ul ul{padding-left:1em}\n"
    "nav a{display:block;padding:.2em .4em;border-radius:4px}nav a[aria-current]{background:#dde4ee}\n"
    "main{flex:1;min-width:0;max-width:72em}\n"
    "h1,h2,h3,p,dd,li,.help,.error,.confirm-text{overflow-wrap:anywhere}\n"
    "section,form.action,.secret,.login{background:#fff;border:1px solid #d6d6db;border-radius:6px;"
    "padding:.8em 1em;margin:0 0 1em;max-width:100%}\n"
    "label{font-weight:600;display:block}\n"
    ".inline{font-weight:normal;display:inline}\n"
    ".help{color:#555;font-size:.9em;margin:.2em 0}\n"
    ".error{color:#a00;font-weight:600}\n"
    ".notice{padding:.6em 1em;border-radius:6px;margin-bottom:1em;overflow-wrap:anywhere}\n"
    ".notice.ok{background:#e5f5e8;border:1px solid #7cbf8a}\n"
    ".notice.failed{background:#fbe9e9;border:1px solid #d88}\n"
    ".confirm-text{background:#fff6dd;border-left:4px solid #d9a400;padding:.4em .6em}\n"
    ".secret{border:2px solid #2b7a3d}\n"
    ".secret-row{display:flex;flex-wrap:wrap;gap:.5em;align-items:center}\n"
    ".secret input{font-family:ui-monospace,monospace;flex:1 1 16em;min-width:0;width:100%;padding:.3em}\n"
    ".table-scroll{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;border-bottom:1px solid #e3e3e6;"
    "padding:.25em .5em;vertical-align:top;overflow-wrap:anywhere}\n"
    "dl.status{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dl.status dd{margin:0;min-width:0}\n"
    "button{font:inherit;padding:.3em .9em;border-radius:4px;border:1px solid #667;background:#eef;"
    "cursor:pointer;max-width:100%}\n"
    "button:disabled{cursor:not-allowed;opacity:.6}\n"
    "button.danger{background:#fbe9e9;border-color:#a00;color:#700}\n"
    ".unavailable{color:#555;font-style:italic}\n"
    ".action-note{display:block;margin-top:.3em;padding:.3em .6em;border-left:3px solid #b80;background:#fff8e6}\n"
    "details.status-details summary{cursor:pointer}\n"
    "table.records td{overflow-wrap:break-word}tbody.record{border-bottom:2px solid #c4c4cc}"
    "tr.record-cells td{border-bottom:0}tr.record-actions td{padding-bottom:.6em}\n"
    ".row-actions-list{display:flex;flex-wrap:wrap;gap:.4em .8em;align-items:flex-start}"
    ".row-actions-list form{margin:0;max-width:100%}.row-actions-list form:has(details[open]){flex-basis:100%}\n"
    "details.row-params summary{cursor:pointer;display:inline-block;padding:.3em .9em;border:1px solid #667;"
    "border-radius:4px;background:#eef}"
    "details.row-params[open]{padding:.3em 0;width:100%}"
    "details.row-params[open] input[type=text],details.row-params[open] select{width:100%}\n"
    "fieldset.choices{border:0;padding:0;margin:0}fieldset.choices label.inline{display:block}\n"
    "input[type=text],input[type=password],select{font:inherit;padding:.2em .3em;max-width:100%}\n"
    "svg.chart{display:block;width:100%;max-width:40em;height:auto}figure.chart-figure{margin:.5em 0}"
    ".chart-legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.2em 1.2em}\n"
    "@media (max-width:720px){.layout{flex-direction:column;gap:.8em;padding:.6em}"
    "nav{min-width:0}header{padding:.5em .6em}"
    "section,form.action,.secret,.login{padding:.6em .7em}"
    "dl.status{grid-template-columns:1fr;gap:0}dl.status dd{margin-bottom:.4em}"
    "input[type=text],input[type=password],select{width:100%}"
    "table.records thead{display:none}"
    "table.records,table.records tbody,table.records tr,table.records td{display:block;width:100%}"
    "tbody.record{border:1px solid #d6d6db;border-radius:6px;margin:0 0 .8em;padding:.4em .6em}"
    "tr.record-cells td{display:grid;grid-template-columns:minmax(6em,35%) 1fr;gap:.6em;padding:.1em 0}"
    "tr.record-cells td::before{content:attr(data-label);font-weight:600}"
    "tr.record-actions td{padding:.4em 0 0}}\n";

static const char panel_js[] =
    "/* Copy buttons: copy the text of the element named by data-copy-target. */\n"
    "'use strict';\n"
    "document.addEventListener('DOMContentLoaded', function () {\n"
    "  document.querySelectorAll('[data-copy-target]').forEach(function (button) {\n"
    "    button.hidden = false;\n"
    "    button.addEventListener('click', function () {\n"
    "      var field = document.getElementById(button.getAttribute('data-copy-target'));\n"
    "      if (!field) { return; }\n"
    "      field.select();\n"
    "      var done = function () { button.textContent = 'Copied'; };\n"
    "      if (navigator.clipboard && navigator.clipboard.writeText) {\n"
    "        navigator.clipboard.writeText(field.value).then(done, function () {\n"
    "          if (document.execCommand('copy')) { done(); }\n"
    "        });\n"
    "      } else if (document.execCommand('copy')) { done(); }\n"
    "    });\n"
    "  });\n"
    "});\n";

/* The tab icon: a key on the header's colour. SVG, so it is text like the other assets; the page's <link rel=icon>
 * names its type, and browsers that ask for /favicon.ico on their own get it instead of a 404. */
static const char favicon_svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">"
    "<rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#23303f\"/>"
    "<circle cx=\"11\" cy=\"16\" r=\"5\" fill=\"none\" stroke=\"#fff\" stroke-width=\"3\"/>"
    "<path d=\"M16 16h11M23 16v5M27 16v4\" stroke=\"#fff\" stroke-width=\"3\" fill=\"none\"/></svg>\n";

static const web_asset_t assets[] = {
    {"/static/panel.css", "text/css; charset=utf-8", panel_css},
    {"/static/panel.js", "text/javascript; charset=utf-8", panel_js},
    {"/favicon.ico", "image/svg+xml", favicon_svg},
};

const web_asset_t *web_asset_find(const char *path)
{
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++)
        if (strcmp(assets[i].path, path) == 0)
            return &assets[i];
    return NULL;
}
