<?php

// ApiController.php - the application's API routes behind the apikey middleware: what a controller reads from
// the request attributes the middleware sets (panel.principal, panel.label, panel.scopes).

namespace App\Http\Controllers;

use Illuminate\Http\JsonResponse;
use Illuminate\Http\Request;
use Panel\Laravel\Panel;

class ApiController
{
    public function ping(): JsonResponse
    {
        return response()->json(['ok' => true]);
    }

    public function whoami(Request $request): JsonResponse
    {
        $body = ['principal' => $request->attributes->get('panel.principal')];
        if ($request->attributes->get('panel.label') !== null) {
            $body['label'] = $request->attributes->get('panel.label');
        }
        if ($request->attributes->get('panel.scopes') !== []) {
            $body['scopes'] = $request->attributes->get('panel.scopes');
        }
        return response()->json($body);
    }

    public function store(Request $request): JsonResponse
    {
        $host = Panel::host();
        return response()->json(['store_name' => $host->config('host', 'store_name'),
            'currency' => $host->config('host', 'currency'),
            'principal' => $request->attributes->get('panel.principal')], 200, [], JSON_UNESCAPED_SLASHES);
    }
}
