#!/usr/bin/env bash
# Builds the hotline's voice prompts as 8 kHz 16-bit mono WAV, the format Asterisk plays without
# transcoding cost, named after the first column of config/sounds/prompts.tsv (sound:hotline/<name>).
#
#   scripts/make-prompts.sh [--out build/sounds/hotline] [--only name[,name...]]
#
# Each prompt is spoken by espeak-ng's Mandarin voice from its pinyin column (voice cmn-latn-pinyin
# reads pinyin with tone numbers; the plain cmn voice would read Latin text as English). A recording
# in config/sounds/recorded/<name>.<wav|flac|ogg|mp3> replaces the synthetic prompt of that name;
# it is converted to the same format.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prompts="$root/config/sounds/prompts.tsv"
recorded="$root/config/sounds/recorded"
out="$root/build/sounds/hotline"
only=""
voice="cmn-latn-pinyin"
speed=150

usage() { echo "usage: $0 [--out DIR] [--only name[,name...]]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    --only) [ $# -ge 2 ] || usage; only=",$2,"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "make-prompts: unknown argument $1" >&2; usage ;;
  esac
done

for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make-prompts: $tool is required (Debian: apt-get install espeak-ng sox)" >&2; exit 1; }
done
if ! espeak-ng --voices=cmn 2>/dev/null | grep -q "$voice"; then
  echo "make-prompts: espeak-ng has no voice $voice" >&2; exit 1
fi

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# To 8 kHz mono 16-bit, normalized to -1 dBFS so quiet and loud sources sound alike.
to_asterisk_wav() { sox -V1 "$1" -r 8000 -c 1 -b 16 -e signed-integer "$2" gain -n -1; }

made=0; from_recordings=0
while IFS=$'\t' read -r name _chinese pinyin rest; do
  case "$name" in ''|'#'*) continue ;; esac
  if [ -z "${pinyin:-}" ] || [ -n "${rest:-}" ]; then
    echo "make-prompts: $prompts: line for \"$name\" needs exactly three tab-separated columns" >&2; exit 1
  fi
  if ! [[ "$name" =~ ^[a-z0-9][a-z0-9-]*$ ]]; then
    echo "make-prompts: bad prompt name \"$name\" (lowercase letters, digits and -)" >&2; exit 1
  fi
  if [ -n "$only" ] && [[ "$only" != *",$name,"* ]]; then continue; fi

  source_file=""
  for ext in wav flac ogg mp3; do
    if [ -f "$recorded/$name.$ext" ]; then source_file="$recorded/$name.$ext"; break; fi
  done
  if [ -n "$source_file" ]; then
    to_asterisk_wav "$source_file" "$tmp/$name.wav"
    from_recordings=$((from_recordings + 1))
  else
    espeak-ng -v "$voice" -s "$speed" -w "$tmp/$name.raw.wav" -- "$pinyin"
    to_asterisk_wav "$tmp/$name.raw.wav" "$tmp/$name.wav"
  fi
  mv -f "$tmp/$name.wav" "$out/$name.wav"
  made=$((made + 1))
done < "$prompts"

echo "make-prompts: $made prompts ($from_recordings from recordings) in $out"
