# SPDX-License-Identifier: GPL-2.0
# provider_cnf FILE MODS: writes to FILE the openssl.cnf of
# Documentation/libwarpdrive.rst ("OpenSSL provider", the other way) that
# activates warpdrive.so from MODS and OpenSSL's default provider and
# prefers warpdrive, for the tests that run programs under it
# (test/host/provider_test.sh, test/host/provider_tls_test.sh).
provider_cnf() {
	cat > "$1" <<CNF
openssl_conf = openssl_init

[openssl_init]
providers = provider_sect
alg_section = evp_properties

[evp_properties]
default_properties = ?provider=warpdrive

[provider_sect]
warpdrive = warpdrive_sect
default = default_sect

[warpdrive_sect]
module = $2/warpdrive.so
activate = 1

[default_sect]
activate = 1
CNF
}
