#!/bin/sh
# Generates the waiting-room TV's spoken-call clips (public/voice/*.ogg) with
# Debian's espeak-ng Indonesian voice, and the chime with sox. Run once; the
# clips are committed. An office may replace them with its own recordings
# (see public/voice/README.md for the names and the format).
#
#   sh scripts/make-voice-clips.sh [OUT_DIR]     (default: public/voice)
#
# Licence: espeak-ng is GPL-3.0-or-later; audio it generates is output of the
# program, not a work derived from it, so the clips are not covered by the GPL.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-"$ROOT/public/voice"}
VOICE=${GILIRAN_VOICE:-id}
SPEED=${GILIRAN_VOICE_SPEED:-140}
RATE=22050

need() { command -v "$1" >/dev/null 2>&1; }
if ! need espeak-ng || ! need sox || ! need oggenc; then
  echo "installing espeak-ng, sox and vorbis-tools (apt)…" >&2
  SUDO=''
  [ "$(id -u)" -eq 0 ] || SUDO='sudo'
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq espeak-ng sox vorbis-tools >/dev/null
fi

mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Silence trimmed at both ends, loudness normalised, mono 22.05 kHz, Ogg Vorbis.
finish() { # name wav
  sox "$2" -r "$RATE" -c 1 "$TMP/$1.trim.wav" \
    silence 1 0.01 0.4% reverse silence 1 0.01 0.4% reverse \
    pad 0.01 0.02 norm -1
  oggenc -Q -q 3 -o "$OUT/$1.ogg" "$TMP/$1.trim.wav"
}

say() { # name text (text may hold espeak [[phonemes]] where the plain spelling is read wrongly)
  espeak-ng -v "$VOICE" -s "$SPEED" -w "$TMP/$1.wav" "$2"
  finish "$1" "$TMP/$1.wav"
}

# The phrase: "Nomor antrean A seratus dua puluh tiga, silakan ke loket tiga".
say nomor-antrean 'nomor antrean'
say silakan-ke 'silakan ke'

# Ticket letters by their Indonesian names.
say huruf-a 'a';   say huruf-b 'be';  say huruf-c 'ce';  say huruf-d 'de'
say huruf-e 'e';   say huruf-f 'ef';  say huruf-g 'ge';  say huruf-h 'ha'
say huruf-i 'i';   say huruf-j 'je';  say huruf-k 'ka';  say huruf-l 'el'
say huruf-m 'em';  say huruf-n 'en';  say huruf-o 'o';   say huruf-p 'pe'
say huruf-q 'ki';  say huruf-r 'er';  say huruf-s 'es';  say huruf-t 'te'
say huruf-u 'u';   say huruf-v 've';  say huruf-w 'we';  say huruf-x 'eks'
say huruf-y 'ye';  say huruf-z 'zet'

# Number words (ui/speech/number-words.ts puts them together).
say nol 'nol'
say satu 'satu'
say dua 'dua'
say tiga 'tiga'
say empat '[[@mp'"'"'at]]'
say lima 'lima'
say enam '[[@n'"'"'am]]'
say tujuh 'tujuh'
say delapan 'delapan'
say sembilan 'sembilan'
say sepuluh 'sepuluh'
say sebelas 'sebelas'
say seratus 'seratus'
say seribu 'seribu'
say belas 'belas'
say puluh 'puluh'
say ratus 'ratus'
say ribu 'ribu'
say juta 'juta'

# Counter words (CounterConfig.word).
say loket '[[l'"'"'okEt]]'
say meja 'meja'
say ruang 'ruang'

# Chime: three falling bell-like notes (G5, E5, C5), each a decaying sine
# with a quiet octave above.
note() { # name frequency seconds
  sox -n -r "$RATE" -b 16 -c 1 "$TMP/$1.wav" synth "$3" sine "$2" sine mix "$(($2 * 2))" vol 0.5 fade l 0.005 "$3" "$3"
}
note n1 784 0.55
note n2 659 0.55
note n3 523 0.9
sox "$TMP/n1.wav" "$TMP/n2.wav" "$TMP/n3.wav" -b 16 "$TMP/chime.wav" norm -3
oggenc -Q -q 3 -o "$OUT/chime.ogg" "$TMP/chime.wav"

echo "clips written to $OUT:" >&2
ls "$OUT"/*.ogg | wc -l >&2
