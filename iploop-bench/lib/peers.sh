# Shared by bench.sh and server-bench.sh (sourced, not run): Debian packages, process and port
# helpers, and the peers both benchmarks start the same way (the nginx origin, Squid, Dante).
# Every daemon runs from a private config under $TMP on 127.0.0.1; what it starts is appended to
# the caller's STARTED array so the caller's cleanup stops it. The caller defines log and die.
# The configs are the ones README "Peer configs" shows.

# ensure_packages <apt log file> <command:package>... : installs the packages whose command is
# missing (as root only; never starts the packaged services with their system configs).
ensure_packages() {
  local apt_log="$1" missing=() pair cmd pkg made_policy=0
  shift
  for pair in "$@"; do
    cmd="${pair%%:*}"; pkg="${pair#*:}"
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing packages: ${missing[*]} (run as root to install them, or apt-get install them)"
  log "installing ${missing[*]} from Debian"
  # Keep the packaged services from starting with their system configs (we run our own copies).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1
  fi
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
    >"$apt_log" 2>&1 || { [ $made_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d; die "apt-get failed, see $apt_log"; }
  [ $made_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

descendants() {  # pid -> pid and all its descendants
  local p="$1" c
  echo "$p"
  for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do descendants "$c"; done
}

# cleanup_on_exit <grace s>: on exit (INT and TERM exit with 130) sends TERM to everything in
# STARTED and its descendants (TERM lets the IPLoop server stop its embedded PostgreSQL), waits up
# to <grace s> for them to go, KILLs what is left, and removes $TMP unless KEEP_TMP is 1.
cleanup_on_exit() {
  CLEANUP_GRACE_TENTHS=$(( $1 * 10 ))
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}
cleanup() {
  local rc=$? p i alive all=()
  trap - EXIT INT TERM
  for p in "${STARTED[@]}"; do all+=($(descendants "$p")); done
  if [ ${#all[@]} -gt 0 ]; then
    kill -TERM "${all[@]}" 2>/dev/null || true
    for ((i = 0; i < CLEANUP_GRACE_TENTHS; i++)); do
      alive=0
      for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
      [ $alive -eq 0 ] && break
      sleep 0.1
    done
    kill -KILL "${all[@]}" 2>/dev/null || true
  fi
  if [ "${KEEP_TMP:-0}" -eq 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}

port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

wait_port() {  # port seconds [pid]: 0 once 127.0.0.1:port accepts, 1 on timeout or when pid exits
  local port="$1" secs="$2" pid="${3:-}" i
  for ((i = 0; i < secs * 10; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

# start_origin <http port> <https port> <worker_rlimit_nofile> <worker_connections>: nginx serving
# $TMP/www (/1k and /64m of random bytes) over HTTP and HTTPS (self-signed), plus /nginx_status on
# HTTP. Sets NGINX_PID; dies if nginx does not listen on both ports within 10 s.
start_origin() {
  local http="$1" https="$2" nofile="$3" conns="$4"
  mkdir -p "$TMP/www" "$TMP/nginx-tmp" "$TMP/tls"
  head -c 1024 /dev/urandom > "$TMP/www/1k"
  head -c $((64 * 1024 * 1024)) /dev/urandom > "$TMP/www/64m"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" >/dev/null 2>&1
  chmod -R a+rX "$TMP/www" "$TMP/tls"
  cat > "$TMP/nginx.conf" <<EOF
worker_processes auto;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
worker_rlimit_nofile $nofile;
events { worker_connections $conns; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_header_timeout 120s;
  client_body_temp_path $TMP/nginx-tmp/body;
  proxy_temp_path $TMP/nginx-tmp/proxy;
  fastcgi_temp_path $TMP/nginx-tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx-tmp/uwsgi;
  scgi_temp_path $TMP/nginx-tmp/scgi;
  server {
    listen 127.0.0.1:$http;
    root $TMP/www;
    location = /nginx_status { stub_status; }
  }
  server {
    listen 127.0.0.1:$https ssl;
    ssl_certificate $TMP/tls/cert.pem;
    ssl_certificate_key $TMP/tls/key.pem;
    root $TMP/www;
  }
}
EOF
  nginx -c "$TMP/nginx.conf" -p "$TMP" -g 'daemon off; user root;' >"$TMP/nginx.out" 2>&1 &
  NGINX_PID=$!; STARTED+=($NGINX_PID)
  wait_port "$http" 10 $NGINX_PID || die "nginx did not start: $(cat "$TMP/nginx.out" "$TMP/nginx-error.log" 2>/dev/null)"
  wait_port "$https" 10 $NGINX_PID || die "nginx did not listen on $https"
}

# start_squid <port> <origin http port> <origin https port>: Squid as a plain forwarding proxy
# (no cache, no logs) for 127.0.0.0/8 to the origin's two ports only. Sets SQUID_PID; the caller
# waits for the port (Squid takes a few seconds).
start_squid() {
  local port="$1" http="$2" https="$3"
  cat > "$TMP/squid.conf" <<EOF
http_port 127.0.0.1:$port
workers 1
pid_filename $TMP/squid.pid
cache_log $TMP/squid-cache.log
access_log none
cache_store_log none
coredump_dir $TMP
cache deny all
cache_mem 0 MB
pinger_enable off
shutdown_lifetime 0 seconds
max_filedescriptors 16384
visible_hostname iploop-bench
acl localnet src 127.0.0.0/8
acl bench_ports port $http $https
http_access deny !bench_ports
http_access allow localnet
http_access deny all
EOF
  touch "$TMP/squid-cache.log"; chown proxy "$TMP/squid-cache.log" 2>/dev/null || chmod 666 "$TMP/squid-cache.log"
  squid -N -f "$TMP/squid.conf" >"$TMP/squid.out" 2>&1 &
  SQUID_PID=$!; STARTED+=($SQUID_PID)
}

# start_dante <port>: Dante (SOCKS5, no authentication) for 127.0.0.0/8 to 127.0.0.0/8, CONNECT
# only. Sets DANTE_PID; the caller waits for the port.
start_dante() {
  local port="$1"
  cat > "$TMP/danted.conf" <<EOF
logoutput: $TMP/danted.log
internal: 127.0.0.1 port = $port
external: 127.0.0.1
socksmethod: none
clientmethod: none
user.privileged: root
user.unprivileged: nobody
timeout.negotiate: 30
timeout.io: 0
client pass {
  from: 127.0.0.0/8 to: 0.0.0.0/0
  log: error
}
socks pass {
  from: 127.0.0.0/8 to: 127.0.0.0/8
  command: connect
  log: error
}
EOF
  danted -f "$TMP/danted.conf" -p "$TMP/danted.pid" >"$TMP/danted.out" 2>&1 &
  DANTE_PID=$!; STARTED+=($DANTE_PID)
}
