# fpm_stack.sh - nginx + php-fpm serving the example panel (examples/php-panel) on a free loopback port, all in
# $TMP/stack: php-fpm with N static workers under the production preload setup (php.ini: ffi.enable=preload,
# ffi.preload, opcache.preload), its access log naming the worker (pid) of each request, nginx in front on a
# Unix socket. Sourced after tests/cli/lib.sh and php_env.sh. stop_php_stack runs from the EXIT trap too, so
# a failing test never leaves the servers running.
STACK="$TMP/stack"
FPM_PID="" NGINX_PID="" STACK_URL=""

# start_php_stack CONFIG WORKERS: returns 1 (with the logs printed) when the stack did not come up.
start_php_stack() {
  local config=$1 workers=$2 port user_lines="" nginx_user="" run_as_root=()
  mkdir -p "$STACK"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  if [ "$(id -u)" = 0 ]; then
    user_lines="user = root
group = root"
    nginx_user="user root root;"
    run_as_root=(-R)
  fi
  {
    echo "ffi.enable = preload"
    echo "ffi.preload = $BINDING/panel.h"
    echo "opcache.enable = 1"
    echo "opcache.preload = $BINDING/preload.php"
    [ "$(id -u)" = 0 ] && echo "opcache.preload_user = $(id -un)"
    echo "opcache.validate_timestamps = 0"
    echo "display_errors = Off"
    echo "log_errors = On"
    echo "error_log = $STACK/php-errors.log"
  } >"$STACK/php.ini"
  cat >"$STACK/php-fpm.conf" <<CONF
[global]
error_log = $STACK/fpm.log
pid = $STACK/fpm.pid
daemonize = no
; a graceful stop (SIGQUIT) gives the workers time to exit normally, so each closes its host
process_control_timeout = 10s
[panel]
$user_lines
listen = $STACK/fpm.sock
listen.mode = 0600
pm = static
pm.max_children = $workers
catch_workers_output = yes
clear_env = yes
env[PANEL_CONFIG] = $config
access.log = $STACK/fpm-access.log
access.format = "%p %s %m %r"
CONF
  cat >"$STACK/nginx.conf" <<CONF
$nginx_user
worker_processes 1;
error_log $STACK/nginx-error.log;
pid $STACK/nginx.pid;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types; # as Debian's nginx.conf does: panel.css is text/css, else Chromium ignores it
  access_log off;
  client_body_temp_path $STACK/nginx-body;
  fastcgi_temp_path $STACK/nginx-fastcgi;
  proxy_temp_path $STACK/nginx-proxy;
  uwsgi_temp_path $STACK/nginx-uwsgi;
  scgi_temp_path $STACK/nginx-scgi;
  server {
    listen 127.0.0.1:$port;
    root $PHP_PANEL/public;
    location / { try_files \$uri /index.php\$is_args\$args; }
    location = /index.php {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root/index.php;
      fastcgi_pass unix:$STACK/fpm.sock;
    }
    location = /test-slow.php {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $STACK/test-slow.php;
      fastcgi_pass unix:$STACK/fpm.sock;
    }
  }
}
CONF
  "$PHP_FPM" -F "${run_as_root[@]}" -c "$STACK/php.ini" -y "$STACK/php-fpm.conf" >"$STACK/fpm.out" 2>&1 &
  FPM_PID=$!
  "$NGINX" -p "$STACK" -c "$STACK/nginx.conf" -g 'daemon off;' >"$STACK/nginx.out" 2>&1 &
  NGINX_PID=$!
  STACK_URL="http://127.0.0.1:$port"
  local i
  for i in $(seq 1 100); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$STACK_URL/healthz" 2>/dev/null)" = 200 ] &&
       [ "$(fpm_workers | wc -l)" -ge "$workers" ]; then
      return 0
    fi
    if ! kill -0 "$FPM_PID" 2>/dev/null || ! kill -0 "$NGINX_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "the stack did not come up:"; stack_logs
  return 1
}

# The pids of the pool's workers now.
fpm_workers() { [ -n "$FPM_PID" ] && pgrep -P "$FPM_PID" 2>/dev/null; }

stack_logs() {
  local f
  for f in fpm.out fpm.log nginx.out nginx-error.log php-errors.log; do
    [ -s "$STACK/$f" ] && { echo "---- $f"; tail -20 "$STACK/$f"; }
  done
}

# stop_php_stack [SIGNAL]: stops nginx, then php-fpm (SIGQUIT by default: graceful, the workers exit
# normally); waits for both. Sets FPM_RC.
stop_php_stack() {
  FPM_RC=""
  if [ -n "$NGINX_PID" ]; then kill -TERM "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; NGINX_PID=""; fi
  if [ -n "$FPM_PID" ]; then
    local workers
    workers=$(fpm_workers)
    kill "-${1:-QUIT}" "$FPM_PID" 2>/dev/null
    local i
    for i in $(seq 1 100); do kill -0 "$FPM_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$FPM_PID" $workers 2>/dev/null
    wait "$FPM_PID" 2>/dev/null; FPM_RC=$?
    FPM_PID=""
  fi
}
