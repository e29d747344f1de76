#!/usr/bin/env bash
# Make the rig's test PKI in DIR (default $CACHE/pki-v1) unless it is already
# there and not about to expire. Built in a temporary directory and renamed into
# place, so an interrupted run never leaves half a PKI behind. Keys stay in the
# cache (never in the repository).
#
#   root CA "matrix-doctor test root CA"  -> intermediate -> leaves
#   separate "rogue" root                 -> untrusted leaf
set -euo pipefail

CACHE=${MATRIX_DOCTOR_CACHE:-$HOME/.cache/matrix-doctor}
DIR=${1:-$CACHE/pki-v1}

fresh() {
  local f
  for f in root.pem rogue.pem intermediate.pem intermediate.der \
           healthy.fullchain.pem expired.fullchain.pem wrongname.fullchain.pem \
           untrusted.chain.pem nochain.pem other.fullchain.pem; do
    [ -s "$DIR/$f" ] || return 1
  done
  # Regenerate when anything that should be valid expires within 30 days.
  for f in root.pem rogue.pem intermediate.pem healthy.pem other.pem nochain.pem wrongname.pem untrusted.pem; do
    openssl x509 -in "$DIR/$f" -noout -checkend $((30 * 86400)) >/dev/null || return 1
  done
}
if fresh; then exit 0; fi

mkdir -p "$(dirname "$DIR")"
T=$(mktemp -d "$(dirname "$DIR")/.pki-tmp.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

cat >ext.cnf <<'CNF'
[req]
distinguished_name = dn
[dn]

[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = $ENV::SAN

[leaf_aia]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = $ENV::SAN
authorityInfoAccess = caIssuers;URI:http://ca.example.test/intermediate.der
CNF
export SAN=DNS:unused

# Self-signed roots (10 years).
root() { # NAME CN
  key "$1"
  openssl req -new -x509 -key "$1.key" -out "$1.pem" -days 3650 -subj "/O=matrix-doctor tests/CN=$2" \
    -config ext.cnf -extensions root
}
root root "matrix-doctor test root CA"
root rogue "matrix-doctor rogue root CA"

# issue NAME ISSUER EXTENSIONS CN SAN [DAYS]
issue() {
  key "$1"
  openssl req -new -key "$1.key" -subj "/O=matrix-doctor tests/CN=$4" -out "$1.csr" -config ext.cnf
  SAN=$5 openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial \
    -days "${6:-365}" -extfile ext.cnf -extensions "$3" -out "$1.pem" 2>/dev/null
}

issue intermediate root intermediate "matrix-doctor test intermediate CA" DNS:unused 1825
openssl x509 -in intermediate.pem -outform DER -out intermediate.der

issue healthy   intermediate leaf     example.test            "DNS:example.test,DNS:*.example.test,IP:127.0.0.2,IP:::1"
issue wrongname intermediate leaf     other.example.net       "DNS:other.example.net"
issue untrusted rogue        leaf     untrusted.example.test  "DNS:untrusted.example.test"
issue nochain   intermediate leaf_aia nochain.example.test    "DNS:nochain.example.test"
issue other     intermediate leaf     differentcert.example.test "DNS:differentcert.example.test"

# The expired leaf: `openssl x509 -req` cannot back-date, `openssl ca` can.
key expired
openssl req -new -key expired.key -subj "/O=matrix-doctor tests/CN=expired.example.test" -out expired.csr -config ext.cnf
mkdir -p ca/newcerts && : >ca/index.txt && echo 1000 >ca/serial
cat >ca.cnf <<'CNF'
[ca]
default_ca = rig
[rig]
dir = ./ca
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir/newcerts
certificate = ./intermediate.pem
private_key = ./intermediate.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
organizationName = optional
commonName = supplied
CNF
SAN=DNS:expired.example.test openssl ca -batch -notext -config ca.cnf -extfile ext.cnf -extensions leaf \
  -startdate 20200101000000Z -enddate 20200401000000Z -in expired.csr -out expired.pem 2>/dev/null

for n in healthy expired wrongname nochain other; do cat "$n.pem" intermediate.pem >"$n.fullchain.pem"; done
cat untrusted.pem rogue.pem >untrusted.chain.pem

rm -rf ca ca.cnf ext.cnf ./*.csr ./*.srl
chmod 644 ./*.pem intermediate.der
chmod 600 ./*.key
chmod 755 .

rm -rf "$DIR"
mv "$T" "$DIR"
trap - EXIT
