#!/usr/bin/env bash
# A real mail stack on loopback for anmalan's integration tests:
# Debian's Dovecot (IMAP, LMTP) and Postfix (SMTP), run from config files of
# our own in a state folder, listening on 127.0.0.1 only, delivering only to
# the test domains and relaying nowhere.
#
#   scripts/mailstack.sh up       install what is missing, start, print the addresses
#   scripts/mailstack.sh down     stop both (the state folder and the mail stay)
#   scripts/mailstack.sh status   say what runs (exit 0 only when both run)
#   scripts/mailstack.sh imap-stop   stop Dovecot only (tests of a server that goes away)
#   scripts/mailstack.sh imap-start  start Dovecot again and have Postfix deliver what it queued
#
# "up" is idempotent; it prints the addresses as export lines and writes them
# to $MAILSTACK_DIR/env. Every address in the test domains has a mailbox
# (created on first delivery or login), password "secret"; user+tag@ is
# delivered to user@. Test domains: *.example, example.com, example.net,
# example.org, *.test. Mail to any other domain is refused at RCPT (554).
# SMTP AUTH (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) is offered but not
# required. XOAUTH2 and OAUTHBEARER (IMAP and SMTP) check the token with an
# OAuth2 introspection server that the TEST runs at
# http://127.0.0.1:$MAILSTACK_OAUTH2_PORT/introspect (a POST of token=…,
# answered with {"active": true, "email": "<user>"} for a good token).
# Postfix delivers
# after it has accepted: a test polls IMAP for the mail to arrive.
# Logs: $MAILSTACK_DIR/dovecot.log and postfix.log.
#
# Environment (defaults in brackets):
#   MAILSTACK_DIR        state folder            [/tmp/anmalan-mailstack]
#   MAILSTACK_IMAP_PORT  Dovecot IMAP port       [14143]
#   MAILSTACK_SMTP_PORT  Postfix SMTP port       [14025]
#   MAILSTACK_PASSWORD   every user's password   [secret]
#   MAILSTACK_OAUTH2_PORT  the test's token introspection port [14180]
#
# Must run as root (it installs packages and starts the servers).
set -euo pipefail

DIR=${MAILSTACK_DIR:-/tmp/anmalan-mailstack}
IMAP_PORT=${MAILSTACK_IMAP_PORT:-14143}
SMTP_PORT=${MAILSTACK_SMTP_PORT:-14025}
PASSWORD=${MAILSTACK_PASSWORD:-secret}
OAUTH2_PORT=${MAILSTACK_OAUTH2_PORT:-14180}
HOST=127.0.0.1
MAIL_USER=mailstack # owner of the mailboxes; Dovecot refuses root
PACKAGES=(dovecot-imapd dovecot-lmtpd postfix)

DOVECOT_CONF=$DIR/dovecot/dovecot.conf
DOVECOT_BASE=$DIR/dovecot/run
DOVECOT_LOG=$DIR/dovecot.log
POSTFIX_CONF=$DIR/postfix
POSTFIX_QUEUE=$DIR/postfix-queue # not inside the config folder: that must be all root's
POSTFIX_LOG=$DIR/postfix.log
LMTP_SOCKET=$DOVECOT_BASE/lmtp

log() { echo "mailstack: $*" >&2; }
die() { log "$*"; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and starts servers)"
}

# ---------------------------------------------------------------- install

installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'; }

POLICY=/usr/sbin/policy-rc.d
POLICY_BACKUP=

restore_policy() {
  if [ -n "$POLICY_BACKUP" ]; then
    mv -f "$POLICY_BACKUP" "$POLICY"
  else
    rm -f "$POLICY"
  fi
}

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    # The packages' own services must not start (Debian's Dovecot would
    # listen on 0.0.0.0): forbid service starts while installing.
    if [ -e "$POLICY" ]; then
      POLICY_BACKUP=$(mktemp /usr/sbin/policy-rc.d.mailstack.XXXXXX)
      cp -p "$POLICY" "$POLICY_BACKUP"
    fi
    trap restore_policy EXIT
    printf '#!/bin/sh\nexit 101\n' > "$POLICY"
    chmod 755 "$POLICY"
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      "${missing[@]}" >"$DIR/apt.log" 2>&1 || { tail -n 30 "$DIR/apt.log" >&2; die "apt-get install failed"; }
    restore_policy
    trap - EXIT
    # On a machine booted with systemd, keep the packages' own services
    # from starting on 0.0.0.0 at the next boot.
    if [ -d /run/systemd/system ]; then
      systemctl disable --now dovecot.service postfix.service >/dev/null 2>&1 || true
    fi
  fi
  if ! id -u "$MAIL_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$MAIL_USER"
  fi
}

# ---------------------------------------------------------------- configs

write_dovecot_conf() {
  local uid gid
  uid=$(id -u "$MAIL_USER"); gid=$(id -g "$MAIL_USER")
  mkdir -p "$DIR/dovecot" "$DIR/dovecot/state" "$DIR/mail"
  chown "$MAIL_USER:$MAIL_USER" "$DIR/mail"
  cat > "$DOVECOT_CONF" <<CONF
# Written by scripts/mailstack.sh; rewritten on every "up".
instance_name = anmalan-mailstack-$IMAP_PORT
protocols = imap lmtp
listen = $HOST
base_dir = $DOVECOT_BASE
state_dir = $DIR/dovecot/state
log_path = $DOVECOT_LOG
info_log_path = $DOVECOT_LOG
default_internal_user = dovecot
default_login_user = dovenull

ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_username_format = %Lu

# Every user exists, with the same password: a mailbox for each address.
passdb {
  driver = static
  args = password=$PASSWORD
  mechanisms = plain login
}
# OAuth2 bearer tokens are checked by the test's introspection server.
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $DIR/dovecot/oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$DIR/mail/%Ld/%Ln allow_all_users=yes
}
first_valid_uid = $uid
last_valid_uid = $uid
first_valid_gid = $gid
last_valid_gid = $gid

mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
# anmalan+tag@... is delivered to anmalan@...
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
mail_max_userip_connections = 200
CONF
  cat > "$DIR/dovecot/oauth2.conf.ext" <<CONF
# Written by scripts/mailstack.sh: tokens are checked by the test's server.
introspection_mode = post
introspection_url = http://$HOST:$OAUTH2_PORT/introspect
force_introspection = yes
username_attribute = email
active_attribute = active
active_value = true
CONF
  cat >> "$DOVECOT_CONF" <<CONF

service imap-login {
  inet_listener imap {
    address = $HOST
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
# Postfix asks Dovecot to check SMTP AUTH (optional for clients).
service auth {
  unix_listener auth-postfix {
    user = postfix
    group = postfix
    mode = 0600
  }
}
service lmtp {
  unix_listener lmtp {
    user = postfix
    group = postfix
    mode = 0600
  }
}
CONF
}

write_postfix_conf() {
  mkdir -p "$POSTFIX_CONF" "$POSTFIX_QUEUE" "$DIR/postfix-data"
  chown postfix: "$DIR/postfix-data"
  chmod 700 "$DIR/postfix-data"
  cat > "$POSTFIX_CONF/domains.regexp" <<'CONF'
# The test domains: mail to these is delivered into Dovecot.
/(^|\.)example$/           OK
/^example\.(com|net|org)$/ OK
/(^|\.)test$/              OK
CONF
  cat > "$POSTFIX_CONF/header_checks" <<'CONF'
# The authserv-id the tests trust (organisers.trusted_authserv_id): a field
# of that id in arriving mail is a forgery and is dropped. "(;|\s|$)" keeps
# mx.goteborgsregionen.example.evil.example from matching.
/^Authentication-Results:\s*mx\.goteborgsregionen\.example(;|\s|$)/ IGNORE
CONF
  cat > "$POSTFIX_CONF/main.cf" <<CONF
# Written by scripts/mailstack.sh; rewritten on every "up".
compatibility_level = 3.6
config_directory = $POSTFIX_CONF
queue_directory = $POSTFIX_QUEUE
data_directory = $DIR/postfix-data
meta_directory = /etc/postfix
myhostname = mailstack.localdomain
mydomain = localdomain
myorigin = \$myhostname
inet_interfaces = loopback-only
inet_protocols = ipv4
maillog_file = $POSTFIX_LOG
maillog_file_prefixes = $DIR
biff = no
append_dot_mydomain = no

# No DNS, no relay: only the test domains, into Dovecot over LMTP.
disable_dns_lookups = yes
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtp_host_lookup = native
mydestination =
local_recipient_maps =
relay_domains =
relayhost =
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = regexp:$POSTFIX_CONF/domains.regexp
virtual_transport = lmtp:unix:$LMTP_SOCKET
default_transport = error:no relay from the anmalan test mail stack
relay_transport = error:no relay from the anmalan test mail stack
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = reject_unauth_destination
alias_maps =
alias_database =

# SMTP AUTH is offered (checked by Dovecot, same users and password) but
# not required; it lets no one relay.
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DOVECOT_BASE/auth-postfix

# Plain text on loopback.
smtpd_tls_security_level = none
smtp_tls_security_level = none
lmtp_tls_security_level = none

# Like a correct receiving server (RFC 8601 §5): Authentication-Results
# fields that carry this server's own authserv-id (the tests' trusted id)
# are removed from arriving mail, so that no sender can forge its verdict.
header_checks = regexp:$POSTFIX_CONF/header_checks

# Room for the oversized-mail tests (the bot's limit is 25 MiB).
message_size_limit = 52428800
mailbox_size_limit = 0
virtual_mailbox_limit = 0
CONF
  cat > "$POSTFIX_CONF/master.cf" <<CONF
# Written by scripts/mailstack.sh. No chroot anywhere.
# service    type  private unpriv chroot wakeup maxproc command
$HOST:$SMTP_PORT inet n    -      n      -      -       smtpd
pickup       unix  n       -      n      60     1       pickup
cleanup      unix  n       -      n      -      0       cleanup
qmgr         unix  n       -      n      300    1       qmgr
rewrite      unix  -       -      n      -      -       trivial-rewrite
bounce       unix  -       -      n      -      0       bounce
defer        unix  -       -      n      -      0       bounce
trace        unix  -       -      n      -      0       bounce
verify       unix  -       -      n      -      1       verify
flush        unix  n       -      n      1000?  0       flush
proxymap     unix  -       -      n      -      -       proxymap
proxywrite   unix  -       -      n      -      1       proxymap
smtp         unix  -       -      n      -      -       smtp
relay        unix  -       -      n      -      -       smtp
showq        unix  n       -      n      -      -       showq
error        unix  -       -      n      -      -       error
retry        unix  -       -      n      -      -       error
discard      unix  -       -      n      -      -       discard
lmtp         unix  -       -      n      -      -       lmtp
anvil        unix  -       -      n      -      1       anvil
scache       unix  -       -      n      -      1       scache
postlog      unix-dgram n  -      n      -      1       postlogd
CONF
}

# ---------------------------------------------------------------- run

dovecot_pid() {
  local f=$DOVECOT_BASE/master.pid pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  grep -qa dovecot "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

postfix_running() {
  [ -f "$POSTFIX_CONF/main.cf" ] && postfix -c "$POSTFIX_CONF" status >/dev/null 2>&1
}

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

show_logs() {
  local f
  for f in "$DOVECOT_LOG" "$POSTFIX_LOG"; do
    if [ -s "$f" ]; then
      log "--- tail of $f"
      tail -n 25 "$f" >&2
    fi
  done
}

start_dovecot() {
  if dovecot_pid >/dev/null; then return; fi
  write_dovecot_conf
  dovecot -c "$DOVECOT_CONF" >>"$DOVECOT_LOG" 2>&1 || { show_logs; die "dovecot did not start"; }
}

start_postfix() {
  if postfix_running; then return; fi
  write_postfix_conf
  # Creates the queue folders with their owners; says what is wrong.
  if ! postfix -c "$POSTFIX_CONF" check >>"$POSTFIX_LOG" 2>&1; then
    show_logs; die "postfix check failed"
  fi
  # Without a terminal "postfix start" prints nothing and exits 1 on
  # failure: the reason is in its log.
  postfix -c "$POSTFIX_CONF" start >>"$POSTFIX_LOG" 2>&1 || { show_logs; die "postfix did not start"; }
}

print_env() {
  cat <<ENV
export MAILSTACK_IMAP=$HOST:$IMAP_PORT
export MAILSTACK_SMTP=$HOST:$SMTP_PORT
export MAILSTACK_PASSWORD=$PASSWORD
export MAILSTACK_OAUTH2=http://$HOST:$OAUTH2_PORT/introspect
export MAILSTACK_DIR=$DIR
ENV
}

cmd_up() {
  need_root
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  install_packages
  # Dovecot's mail processes run as $MAIL_USER and must reach the mail.
  runuser -u "$MAIL_USER" -- test -x "$DIR" ||
    die "$MAIL_USER cannot enter $DIR: choose a MAILSTACK_DIR outside private folders"
  # Unix socket paths are limited to 107 bytes.
  [ ${#DOVECOT_BASE} -le 60 ] || die "MAILSTACK_DIR is too long for Dovecot's sockets: $DIR"
  start_dovecot
  start_postfix
  local i
  for ((i = 0; i < 300; i++)); do
    if port_open "$IMAP_PORT" && port_open "$SMTP_PORT" && [ -S "$LMTP_SOCKET" ]; then
      print_env | tee "$DIR/env"
      return
    fi
    sleep 0.1
  done
  show_logs
  die "not listening after 30 s on $HOST:$IMAP_PORT (IMAP) and $HOST:$SMTP_PORT (SMTP)"
}

cmd_down() {
  need_root
  local pid i
  if postfix_running; then
    postfix -c "$POSTFIX_CONF" stop >>"$POSTFIX_LOG" 2>&1 || true
  fi
  if pid=$(dovecot_pid); then
    kill "$pid"
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  for ((i = 0; i < 100; i++)); do
    postfix_running || break
    sleep 0.1
  done
  log "stopped"
}

cmd_imap_stop() {
  need_root
  local pid i
  if pid=$(dovecot_pid); then
    kill "$pid"
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  log "dovecot stopped"
}

cmd_imap_start() {
  need_root
  start_dovecot
  local i
  for ((i = 0; i < 300; i++)); do
    if port_open "$IMAP_PORT" && [ -S "$LMTP_SOCKET" ]; then
      # Postfix deferred what arrived meanwhile; deliver it now rather
      # than after its retry backoff.
      postqueue -c "$POSTFIX_CONF" -f >/dev/null 2>&1 || true
      log "dovecot started"
      return
    fi
    sleep 0.1
  done
  show_logs
  die "dovecot not listening after 30 s"
}

cmd_status() {
  local pid rc=0
  if pid=$(dovecot_pid); then
    echo "dovecot: running (pid $pid), IMAP on $HOST:$IMAP_PORT, LMTP on $LMTP_SOCKET"
  else
    echo "dovecot: stopped"; rc=3
  fi
  if postfix_running; then
    echo "postfix: running, SMTP on $HOST:$SMTP_PORT"
  else
    echo "postfix: stopped"; rc=3
  fi
  echo "state: $DIR"
  return $rc
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  imap-stop) cmd_imap_stop ;;
  imap-start) cmd_imap_start ;;
  *) echo "usage: $0 up|down|status|imap-stop|imap-start" >&2; exit 2 ;;
esac
