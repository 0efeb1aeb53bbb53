#!/usr/bin/env bash
# Installs the hotline's Asterisk configuration, dialplan, seats and prompts into an Asterisk 22
# that is already installed (it does not build or install Asterisk itself).
#
#   sudo scripts/install-asterisk.sh [--etc /etc/asterisk] [--asterisk /usr/sbin/asterisk]
#        [--sounds <datadir>/sounds] [--seats 750] [--webrtc] [--generated /var/lib/hotline]
#        [--seats-csv <generated>/seats.csv] [--service-secrets DIR] [--no-reload]
#
# Safe to run again: files that would change are backed up first (<etc>/hotline-backup-<time>/),
# secrets, seats and the site's pjsip_site.conf that exist are kept, unchanged files are left alone.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
etc=/etc/asterisk
asterisk_bin=""
sounds=""
seat_count=750
webrtc=""
generated_dir=/var/lib/hotline
seats_csv=""
service_secrets=""
reload=yes

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --etc) [ $# -ge 2 ] || usage; etc=$2; shift 2 ;;
    --asterisk) [ $# -ge 2 ] || usage; asterisk_bin=$2; shift 2 ;;
    --sounds) [ $# -ge 2 ] || usage; sounds=$2; shift 2 ;;
    --seats) [ $# -ge 2 ] || usage; seat_count=$2; shift 2 ;;
    --webrtc) webrtc=--webrtc; shift ;;
    --generated) [ $# -ge 2 ] || usage; generated_dir=$2; shift 2 ;;
    --seats-csv) [ $# -ge 2 ] || usage; seats_csv=$2; shift 2 ;;
    --service-secrets) [ $# -ge 2 ] || usage; service_secrets=$2; shift 2 ;;
    --no-reload) reload=no; shift ;;
    -h|--help) usage ;;
    *) echo "install-asterisk: unknown argument $1" >&2; usage ;;
  esac
done
[[ "$seat_count" =~ ^[1-9][0-9]*$ ]] || { echo "install-asterisk: --seats needs a positive number" >&2; exit 2; }
seats_csv=${seats_csv:-$generated_dir/seats.csv}

say() { echo "install-asterisk: $*"; }
die() { echo "install-asterisk: $*" >&2; exit 1; }


[ -d "$etc" ] || die "$etc does not exist: install Asterisk 22 first, or pass --etc <its config dir>"
[ -w "$etc" ] || die "$etc is not writable: run with sudo"
case "$generated_dir" in
  "$root"|"$root"/*) say "WARNING: --generated $generated_dir is inside the checkout: the seat secrets there are easy to commit or delete" ;;
esac

# The asterisk binary that owns $etc: --asterisk, else the one on PATH, else a prefix install's
# <prefix>/sbin/asterisk next to <prefix>/etc/asterisk. Its CLI is asked with -C so that it talks
# to the instance whose configuration this script changes.
if [ -z "$asterisk_bin" ]; then
  if command -v asterisk >/dev/null 2>&1; then
    asterisk_bin=$(command -v asterisk)
  elif [ -x "$etc/../../sbin/asterisk" ]; then
    asterisk_bin=$(cd "$etc/../../sbin" && pwd)/asterisk
  elif [ -x /usr/sbin/asterisk ]; then
    asterisk_bin=/usr/sbin/asterisk
  fi
elif [ ! -x "$asterisk_bin" ]; then
  die "--asterisk $asterisk_bin is not an executable"
fi
ast_cli() {
  local conf=()
  if [ -f "$etc/asterisk.conf" ]; then conf=(-C "$etc/asterisk.conf"); fi
  "$asterisk_bin" "${conf[@]}" -rx "$1"
}
running=no
if [ -n "$asterisk_bin" ] && ast_cli 'core show version' >/dev/null 2>&1; then running=yes; fi

# Asterisk's data directory (sounds and moh live there): the running instance's, else astdatadir in
# asterisk.conf, else the source build's default.
datadir=""
if [ "$running" = yes ]; then
  datadir=$(ast_cli 'core show settings' 2>/dev/null | sed -n 's/^ *Data directory: *//p' | head -n 1)
fi
if [ -z "$datadir" ] && [ -f "$etc/asterisk.conf" ]; then
  datadir=$(sed -n 's/^[[:space:]]*astdatadir[[:space:]]*=>*[[:space:]]*\([^;[:space:]]*\).*/\1/p' "$etc/asterisk.conf" | head -n 1)
fi
datadir=${datadir:-/var/lib/asterisk}
sounds=${sounds:-$datadir/sounds}

# Asterisk usually runs as user asterisk: it must read the files, nobody else needs to.
owner_args=()
conf_mode=0644
secret_mode=0600
if [ "$(id -u)" -eq 0 ] && getent group asterisk >/dev/null 2>&1; then
  owner_args=(-o root -g asterisk)
  conf_mode=0640
  secret_mode=0640
fi

stamp=$(date +%Y%m%d-%H%M%S)
backup_dir="$etc/hotline-backup-$stamp"
changed=()

# install_file SRC NAME MODE: copies SRC to $etc/NAME if it differs, backing up the old file.
install_file() {
  local src=$1 name=$2 mode=$3 dest="$etc/$2"
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    return 0
  fi
  if [ -e "$dest" ]; then
    mkdir -p "$backup_dir"
    cp -p "$dest" "$backup_dir/$name"
  fi
  install -m "$mode" "${owner_args[@]}" "$src" "$dest"
  changed+=("$name")
}

# 1. Configuration and dialplan.
shopt -s nullglob
confs=("$root"/config/*.conf)
shopt -u nullglob
[ ${#confs[@]} -gt 0 ] || die "no config/*.conf found under $root"
for f in "${confs[@]}"; do
  install_file "$f" "$(basename "$f")" "$conf_mode"
done
install_file "$root/dialplan/extensions.conf" extensions.conf "$conf_mode"

# The site's own PJSIP settings: written once, then the operator's. A pjsip.conf from before this file
# existed had them inline: carry its trunk addresses and NAT lines over, so that the new pjsip.conf
# does not silently drop them (that old file is also in the backup).
if [ ! -f "$etc/pjsip_site.conf" ]; then
  site_tmp=$(mktemp)
  cp "$root/config/pjsip_site.conf.sample" "$site_tmp"
  old_pjsip="$etc/pjsip.conf"
  if [ -d "$backup_dir" ] && [ -f "$backup_dir/pjsip.conf" ]; then old_pjsip="$backup_dir/pjsip.conf"; fi
  if [ -f "$old_pjsip" ] && ! grep -q 'pjsip_site.conf' "$old_pjsip"; then
    carried=$(awk '
      /^[[:space:]]*\[/ { name = $0; sub(/^[[:space:]]*\[/, "", name); sub(/\].*/, "", name); type = ""; next }
      /^[[:space:]]*type[[:space:]]*=/ { type = $0; sub(/^[^=]*=[[:space:]]*/, "", type); sub(/[[:space:]]*(;.*)?$/, "", type); next }
      name == "trunk" && type == "identify" && /^[[:space:]]*match[[:space:]]*=/ { print "site-trunk-identify\t" $0 }
      name == "trunk" && type == "aor" && /^[[:space:]]*contact[[:space:]]*=/ { print "site-trunk-aor\t" $0 }
      name == "trunk" && type == "endpoint" && /^[[:space:]]*from_(user|domain)[[:space:]]*=/ { print "site-trunk-endpoint\t" $0 }
      name == "transport-udp" && /^[[:space:]]*(local_net|external_media_address|external_signaling_address)[[:space:]]*=/ { print "site-transport\t" $0 }
    ' "$old_pjsip")
    if [ -n "$carried" ]; then
      awk -v carried="$carried" '
        BEGIN { n = split(carried, rows, "\n"); for (i = 1; i <= n; i++) { split(rows[i], f, "\t"); add[f[1]] = add[f[1]] f[2] "\n" } }
        /^\[/ { name = $0; sub(/^\[/, "", name); sub(/\].*/, "", name); print; if (name in add) { printf "; carried over from the previous pjsip.conf:\n%s", add[name]; skip = 1 } else skip = 0; next }
        skip && /^[[:space:]]*(match|contact)[[:space:]]*=/ { next }
        { print }
      ' "$root/config/pjsip_site.conf.sample" >"$site_tmp"
      say "pjsip_site.conf: trunk and NAT settings carried over from the previous pjsip.conf; check them"
    fi
  fi
  install -m "$conf_mode" "${owner_args[@]}" "$site_tmp" "$etc/pjsip_site.conf"
  rm -f "$site_tmp"
  changed+=(pjsip_site.conf)
  if grep -q '^[[:space:]]*match[[:space:]]*=[[:space:]]*192\.0\.2\.10' "$etc/pjsip_site.conf"; then
    say "edit $etc/pjsip_site.conf: the trunk still lists the placeholder address 192.0.2.10"
  fi
fi

# 2. Secrets for ARI and AMI, generated once and printed once.
random_secret() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

# new_secret FILE KEY: writes "KEY = <random>" to FILE if it does not exist; prints the secret.
new_secret() {
  local file=$1 key=$2 secret
  secret=$(random_secret)
  (umask 077 && printf '%s = %s\n' "$key" "$secret" >"$file")
  chmod "$secret_mode" "$file"
  if [ ${#owner_args[@]} -gt 0 ]; then chown root:asterisk "$file"; fi
  printf '%s' "$secret"
}

fresh_secrets=()
if [ ! -f "$etc/ari_users.conf" ]; then
  ari_password=$(new_secret "$etc/ari_users.conf" password)
  fresh_secrets+=("ari")
  changed+=(ari_users.conf)
fi
if [ ! -f "$etc/manager_users.conf" ]; then
  ami_secret=$(new_secret "$etc/manager_users.conf" secret)
  fresh_secrets+=("ami")
  changed+=(manager_users.conf)
fi

# 3. Seats: generated once (by gen-seats) into --generated, never replaced here, so registered phones
#    keep working. The generated files stay outside the checkout: they hold every seat's secret.
if [ ! -f "$etc/pjsip_seats.conf" ]; then
  generated="$generated_dir/pjsip_seats.conf"
  if [ ! -f "$generated" ]; then
    command -v npx >/dev/null 2>&1 || die "pjsip_seats.conf is missing and Node.js is not installed here: run scripts/gen-seats.ts elsewhere and copy the file to $generated"
    (umask 077 && mkdir -p "$generated_dir" "$(dirname "$seats_csv")")
    (cd "$root" && npx --no-install tsx scripts/gen-seats.ts --count "$seat_count" --prefix seat \
      --out "$generated" --secrets "$seats_csv" ${webrtc:+"$webrtc"})
    chmod 0600 "$seats_csv"
  else
    say "using seats generated earlier: $generated"
  fi
  install -m "$secret_mode" "${owner_args[@]}" "$generated" "$etc/pjsip_seats.conf"
  changed+=(pjsip_seats.conf)
  say "seat credentials for provisioning phones: $seats_csv (keep it private)"
fi

# 4. Prompts, into both the default (en) and the Chinese (zh) language folders.
prompts_dir="$root/build/sounds/hotline"
shopt -s nullglob
wavs=("$prompts_dir"/*.wav)
if [ ${#wavs[@]} -eq 0 ]; then
  if command -v espeak-ng >/dev/null 2>&1 && command -v sox >/dev/null 2>&1; then
    "$root/scripts/make-prompts.sh" --out "$prompts_dir"
    wavs=("$prompts_dir"/*.wav)
  fi
fi
shopt -u nullglob
if [ ${#wavs[@]} -eq 0 ]; then
  say "WARNING: no prompts installed: run scripts/make-prompts.sh (needs espeak-ng and sox) and run this again"
else
  for lang in en zh; do
    mkdir -p "$sounds/$lang/hotline"
    install -m 0644 "${wavs[@]}" "$sounds/$lang/hotline/"
  done
  say "${#wavs[@]} prompts installed in $sounds/{en,zh}/hotline"
fi

# 5. Music on hold. With no files in <datadir>/moh, Asterisk logs "No music on hold classes
#    configured", disables MOH until it is restarted (a reload does not bring it back), and callers
#    waiting in the queue hear silence.
moh_dir="$datadir/moh"
moh_files=0
if [ -d "$moh_dir" ]; then
  moh_files=$(find -L "$moh_dir" -maxdepth 1 -type f ! -name '.*' | wc -l)
fi
if [ "$moh_files" -eq 0 ]; then
  say "WARNING: no music on hold files in $moh_dir: Asterisk disables music on hold entirely"
  say "  ('No music on hold classes configured') and callers in the queue hear silence."
  say "  Put licensed 8 kHz recordings there (Debian's asterisk-moh-opsound-wav installs its files to"
  say "  /usr/share/asterisk/moh: copy or link them into $moh_dir if that is not the same folder),"
  say "  then RESTART Asterisk: 'moh reload' and 'core reload' do not bring music on hold back."
else
  say "music on hold: $moh_files files in $moh_dir"
fi

# 6. Secrets for the service, shown once.
if [ ${#fresh_secrets[@]} -gt 0 ]; then
  if [ -n "$service_secrets" ]; then
    (umask 077 && mkdir -p "$service_secrets")
    if [ -n "${ari_password:-}" ]; then (umask 077 && printf '%s\n' "$ari_password" >"$service_secrets/ari_password"); fi
    if [ -n "${ami_secret:-}" ]; then (umask 077 && printf '%s\n' "$ami_secret" >"$service_secrets/ami_password"); fi
  fi
  echo
  echo "================ hotline service secrets (shown this once) ================"
  if [ -n "${ari_password:-}" ]; then
    echo "ARI:  ASTERISK_ARI_URL=http://127.0.0.1:8088/ari  ASTERISK_ARI_USER=hotline"
    echo "      ASTERISK_ARI_PASSWORD=$ari_password"
    if [ -n "$service_secrets" ]; then echo "      or ASTERISK_ARI_PASSWORD_FILE=$service_secrets/ari_password"; fi
  fi
  if [ -n "${ami_secret:-}" ]; then
    echo "AMI:  ASTERISK_AMI_HOST=127.0.0.1  ASTERISK_AMI_PORT=5038  ASTERISK_AMI_USER=hotline"
    echo "      ASTERISK_AMI_PASSWORD=$ami_secret"
    if [ -n "$service_secrets" ]; then echo "      or ASTERISK_AMI_PASSWORD_FILE=$service_secrets/ami_password"; fi
  fi
  echo "Put them in the service's environment (or a file named by the *_FILE variable, mode 0600)."
  echo "They are stored for Asterisk in $etc/ari_users.conf and $etc/manager_users.conf."
  echo "==========================================================================="
  echo
fi

# 7. Tell a running Asterisk.
if [ ${#changed[@]} -eq 0 ]; then
  say "nothing changed in $etc"
else
  say "changed in $etc: ${changed[*]}"
  if [ -d "$backup_dir" ]; then say "previous versions saved in $backup_dir"; fi
fi
if [ "$reload" = yes ] && [ ${#changed[@]} -gt 0 ] && [ "$running" = yes ]; then
  ast_cli 'core reload' >/dev/null
  say "asterisk ($asterisk_bin): core reload done"
  for f in "${changed[@]}"; do
    case "$f" in
      modules.conf|pjsip.conf|pjsip_site.conf)
        say "$f changed: module choices and PJSIP transports only apply after a restart:"
        say "  $asterisk_bin -rx 'core restart when convenient'"
        break ;;
    esac
  done
elif [ "$reload" = yes ] && [ ${#changed[@]} -gt 0 ]; then
  if [ -z "$asterisk_bin" ]; then
    say "no asterisk binary found (pass --asterisk <prefix>/sbin/asterisk): the configuration applies when Asterisk starts"
  else
    say "Asterisk is not running here: the configuration applies when it starts"
  fi
fi
