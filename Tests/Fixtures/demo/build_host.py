"""Builds the files of a healthy Open Sesame installation under ROOT, with real parts (see
../../../docs/demo.md): the runtime directory with the bus keypair and six daemon keypairs (BLAKE3-keyed
checksums by PyPI blake3), the config directory with a valid config.toml, installation.toml, a valid audit
chain, and a vault (SQLCipher 4 with Open Sesame's settings, by PyPI sqlcipher3-binary) with its salt,
metadata and password wrap; and the mocked systemd's unit table.

    build_host.py ROOT [--broken] [--variant deb|home-manager|pre-init|fresh-init]
                                    writes ROOT/home/.config/pds, ROOT/run/pds, ROOT/units.json

--broken adds the defects listed in BROKEN below (and the demo script adds a dumpable secrets daemon).
--variant makes the healthy host one that upstream's own installers leave, byte for byte where doctor looks (see
VARIANTS below, each fact with Open Sesame 1.14.2's file:line), with the checks that report it; DemoHostTests
holds doctor to exactly those findings.
"""

import json
import os
import subprocess
import sys
import uuid

from blake3 import blake3

root = sys.argv[1]
broken = "--broken" in sys.argv

# The defects of the broken host, each with the check that must catch it.
BROKEN = {
    "daemon-wm.key is 0644": "crypto-key-file-perms",
    "daemon-input.checksum altered": "crypto-daemon-key-checksums",
    "a leftover daemon-wm.key.tmp": "crypto-no-key-tmp-leftovers",
    "bus.pub is not the bus's key": "crypto-bus-keypair-valid, ipc-noise-ik-handshake, daemon-status-rpc, ipc-roundtrip-latency, ipc-wire-version, vault-lock-state",
    "audit line 120 altered": "crypto-audit-chain-intact",
    "a 15-byte salt": "vault-salt-valid",
    "work.vault-meta names factor 'retina'": "vault-meta-valid",
    "default.db is 0644": "vault-db-file-perms",
    "password wrap of 60 bytes": "vault-factor-blobs-valid",
    "unknown key global.logging.colour": "config-deprecated-keys (fail), config-schema-valid (warn)",
    "installation.toml is 0644": "config-sensitive-file-perms",
    "legacy secrets.salt": "config-legacy-files",
    "open-sesame-launcher failed": "daemon-headless-aux-active",
    "open-sesame-snippets restarted 4 times": "daemon-restart-count",
    "open-sesame-profile without a watchdog": "daemon-notify-watchdog-configured",
    "open-sesame-secrets with a network": "daemon-secrets-private-network",
    "a dumpable secrets daemon": "crypto-core-dumps-disabled",
    "installation.toml bound to another machine": "config-installation-binding",
    "work's configuration asks for all factors; its vault records any": "vault-factors-match-config",
    "work's audit log disabled": "config-audit-retention",
    "[crypto] noise_cipher = aes-gcm, which the daemons ignore": "crypto-config-honoured (warn)",
    "config.d/50-local.toml does not parse": "config-toml-parses, config-schema-valid",
}
variant = sys.argv[sys.argv.index("--variant") + 1] if "--variant" in sys.argv else None

# What each of upstream's installations leaves on disk where it differs from the fully private healthy host, and
# the checks that report it (all hardening recommendations beyond upstream, except where noted).
VARIANTS = {
    # The .deb: systemd creates ~/.config/pds (ConfigurationDirectory=pds, contrib/systemd/
    # open-sesame-profile.service:21; mode 0755 by systemd's default), and files are written under umask 022:
    # config.toml and installation.toml by atomic_write (core-config/src/loader.rs:246-255; open-sesame/src/
    # init.rs:299, loader_installation.rs:46), vault databases by SQLite (core-secrets/src/sqlcipher.rs:57), and the
    # salt of a profile other than the default by daemon-secrets on its first password unlock
    # (daemon-secrets/src/unlock.rs:34-46). sesame init chmods the vault directory, the default salt, the
    # password wraps, vault-meta and the audit log to 0600/0700 (init.rs:362-371, 598-613; core-auth/src/
    # password_wrap.rs:176-185; vault_meta.rs:131).
    "deb": ["config-dir-perms", "config-sensitive-file-perms", "vault-salt-perms", "vault-db-file-perms"],
    # home-manager: tmpfiles make ~/.config/pds 0700 (flake.nix:226-228) and config.toml is a symlink into the
    # Nix store, generated with empty [crypto], [agents], [extensions], [global.ipc] and [global.logging] tables
    # and a `name` in each profile (flake.nix:179-219); the rest is written under the umask as on the .deb.
    "home-manager": ["config-sensitive-file-perms", "vault-salt-perms", "vault-db-file-perms"],
    # The daemons started before sesame init: no config.toml, installation.toml, vaults or audit entries yet.
    # daemon-profile has created ~/.config/pds (create_dir_all under the umask, core-config/src/loader.rs:222-226)
    # and an empty audit.jsonl with no mode of its own (daemon-profile/src/main.rs:288-292), and the bus answers in
    # its pre-init form. config-audit-log-perms is not a hardening finding: the log is world-readable until
    # sesame init chmods it (open-sesame/src/init.rs:362-371).
    "pre-init": ["config-dir-perms", "config-audit-log-perms"],
    # Right after sesame init on a .deb host: init writes the whole default configuration with one profile,
    # `default` (open-sesame/src/init.rs:290-300: Config::default() plus ProfileConfig::default(), serialized with
    # every field; the values are the Default impls of core-config/src/schema*.rs), and the default vault only.
    # Modes as on the .deb.
    "fresh-init": ["config-dir-perms", "config-sensitive-file-perms", "vault-db-file-perms"],
}
if variant is not None and variant not in VARIANTS:
    sys.exit(f"build_host.py: unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
home = os.path.join(root, "home")
runtime = os.path.join(root, "run")
rt = os.path.join(runtime, "pds")
cfg = os.path.join(home, ".config", "pds")
here = os.path.dirname(os.path.abspath(__file__))


def write(path, data, mode):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)


def keypair(stem):
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    key = X25519PrivateKey.generate()
    private = key.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption())
    public = key.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    write(stem + ".key", private, 0o600)
    write(stem + ".pub", public, 0o644)
    write(stem + ".checksum", blake3(private, key=public).digest(), 0o644)


for directory in (runtime, rt, os.path.join(rt, "keys"), os.path.join(home, ".config"), cfg, os.path.join(cfg, "vaults")):
    os.makedirs(directory, exist_ok=True)
    os.chmod(directory, 0o700)
keypair(os.path.join(rt, "bus"))
for daemon in ["daemon-secrets", "daemon-wm", "daemon-launcher", "daemon-clipboard", "daemon-input", "daemon-snippets"]:
    keypair(os.path.join(rt, "keys", daemon))

write(os.path.join(cfg, "config.toml"), """config_version = 3

[global]
default_profile = "default"

[global.logging]
level = "info"

[crypto]
kdf = "argon2id"
noise_hash = "blake2s"
audit_hash = "blake3"

[profiles.default.auth]
mode = "any"
required = ["password"]

[profiles.default.audit]
enabled = true
retention_days = 365

[profiles.work.auth]
mode = "any"
required = ["password"]

[profiles.work.audit]
retention_days = 400
""", 0o600)


def installation(machine_id):
    """installation.toml as sesame init writes it; bound to `machine_id` when there is one."""
    ident = uuid.uuid4()
    text = f'id = "{ident}"\nnamespace = "{uuid.uuid5(uuid.NAMESPACE_DNS, "pds.open-sesame.local")}"\n'
    if machine_id:
        digest = blake3(machine_id.strip() + ident.bytes).hexdigest()
        text += f'\n[machine_binding]\nbinding_hash = "{digest}"\nbinding_type = "machine-id"\n'
    return text


# Bound to this machine when it has a machine id (the check warns on an unbound installation otherwise).
this_machine = open("/etc/machine-id", "rb").read() if os.path.exists("/etc/machine-id") else b""
write(os.path.join(cfg, "installation.toml"), installation(this_machine), 0o600)
subprocess.run([sys.executable, os.path.join(here, "..", "audit", "make_log.py"), os.path.join(cfg, "audit.jsonl"), "200"], check=True)
os.chmod(os.path.join(cfg, "audit.jsonl"), 0o600)

vaults = os.path.join(cfg, "vaults")
# Two profiles, each with its vault: the vault checks expand over every profile found.
for profile in ["default", "work"]:
    vault_key = os.urandom(32).hex()
    subprocess.run([sys.executable, os.path.join(here, "..", "vault", "make_vault.py"), "v4", os.path.join(vaults, f"{profile}.db"), vault_key], check=True)
    if profile == "default":
        # The key an auditor would hand doctor for vault-cipher-integrity (DOCTOR_VAULT_KEY_FILE).
        write(os.path.join(root, "default-vault.key"), vault_key, 0o600)
    os.chmod(os.path.join(vaults, f"{profile}.db"), 0o600)
    write(os.path.join(vaults, f"{profile}.salt"), os.urandom(16), 0o600)
    write(os.path.join(vaults, f"{profile}.password-wrap"), b"\x01" + os.urandom(60), 0o600)
    write(os.path.join(vaults, f"{profile}.vault-meta"), json.dumps({
        "version": 1, "init_mode": "password",
        "enrolled_factors": [{"factor_id": "password", "label": "main", "enrolled_at": 1795500000}],
        "auth_policy": "any", "created_at": 1795500000, "policy_changed_at": 1795500000,
    }), 0o600)

service = {"Type": "notify", "Restart": "on-failure", "MainPID": "MAIN_PID", "NRestarts": 0, "WatchdogUSec": 30000000,
           "MemoryMax": 134217728, "LimitMEMLOCK": 67108864, "LimitCORE": 0, "PrivateNetwork": False, "NoNewPrivileges": True,
           "RestartUSec": 5000000}
units = []
for name in ["profile", "secrets", "launcher", "snippets", "wm", "clipboard", "input"]:
    specific = dict(service)
    if name == "secrets":
        specific.update(MemoryMax=268435456, PrivateNetwork=True)
    if name == "launcher":
        specific.update(MemoryMax=18446744073709551615)
    units.append({"Id": f"open-sesame-{name}.service", "LoadState": "loaded", "ActiveState": "active", "SubState": "running",
                  "StartLimitBurst": 5, "Service": specific})
if broken:
    os.chmod(os.path.join(rt, "keys", "daemon-wm.key"), 0o644)
    write(os.path.join(rt, "keys", "daemon-input.checksum"), os.urandom(32), 0o644)
    write(os.path.join(rt, "keys", "daemon-wm.key.tmp"), os.urandom(32), 0o600)
    # The bus keeps its key; bus.pub now names another (the responder still uses bus.key).
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    write(os.path.join(rt, "bus.pub"), X25519PrivateKey.generate().public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw), 0o644)
    audit = os.path.join(cfg, "audit.jsonl")
    lines = open(audit, "rb").read().split(b"\n")
    lines[119] = lines[119].replace(b"github", b"gitlab", 1)
    write(audit, b"\n".join(lines), 0o600)
    write(os.path.join(vaults, "default.salt"), os.urandom(15), 0o600)
    # In the second profile's vault: caught because the check expands over every profile.
    meta = json.load(open(os.path.join(vaults, "work.vault-meta")))
    meta["enrolled_factors"].append({"factor_id": "retina", "label": "eye", "enrolled_at": 1795500001})
    write(os.path.join(vaults, "work.vault-meta"), json.dumps(meta), 0o600)
    os.chmod(os.path.join(vaults, "default.db"), 0o644)
    write(os.path.join(vaults, "default.password-wrap"), b"\x01" + os.urandom(59), 0o600)
    config = open(os.path.join(cfg, "config.toml")).read().replace('level = "info"', 'level = "info"\ncolour = true')
    config = config.replace('kdf = "argon2id"', 'kdf = "argon2id"\nnoise_cipher = "aes-gcm"')
    config = config.replace('[profiles.work.auth]\nmode = "any"', '[profiles.work.auth]\nmode = "all"')
    config = config.replace('[profiles.work.audit]\n', '[profiles.work.audit]\nenabled = false\n')
    write(os.path.join(cfg, "config.toml"), config, 0o600)
    write(os.path.join(cfg, "config.d", "50-local.toml"), "[global]\ndefault_profile = \"work\n", 0o600)
    write(os.path.join(cfg, "installation.toml"), installation(b"another machine's id"), 0o644)
    write(os.path.join(cfg, "secrets.salt"), os.urandom(16), 0o600)
    for unit in units:
        if unit["Id"] == "open-sesame-launcher.service":
            unit.update(ActiveState="failed", SubState="failed")
            unit["Service"]["MainPID"] = 0
        if unit["Id"] == "open-sesame-snippets.service":
            unit["Service"]["NRestarts"] = 4
        if unit["Id"] == "open-sesame-profile.service":
            unit["Service"]["WatchdogUSec"] = 0
        if unit["Id"] == "open-sesame-secrets.service":
            unit["Service"]["PrivateNetwork"] = False
    with open(os.path.join(root, "defects.json"), "w") as handle:
        json.dump(BROKEN, handle, indent=1)

# What sesame init writes, byte for byte: the default configuration with one profile as toml 1.1.3's
# to_string_pretty lays it out (the version Cargo.lock pins; reproduced by running that serializer on the structs
# of core-config/src/schema*.rs). None fields and empty skip_serializing_if collections are left out; maps are
# BTreeMaps, so the ten default key bindings come sorted.
INIT_CONFIG = """config_version = 3

[global]
default_profile = "default"

[global.ipc]
channel_capacity = 1024
slow_subscriber_timeout_ms = 5000

[global.logging]
level = "info"
json = false
journald = true

[profiles.default]
name = "default"

[profiles.default.activation]
wifi_ssids = []
usb_devices = []
time_rules = []
require_security_key = false

[profiles.default.auth]
mode = "any"
additional_required = 0

[profiles.default.secrets.secrets]

[profiles.default.clipboard]
max_history = 1000
sensitive_ttl_s = 30
detect_sensitive = true

[profiles.default.input.layers]

[profiles.default.wm]
hint_keys = "asdfghjkl"
overlay_delay_ms = 150
activation_delay_ms = 200
border_width = 4.0
border_color = "#89b4fa"
background_color = "#000000c8"
card_color = "#1e1e1ef0"
text_color = "#ffffff"
hint_color = "#646464"
hint_matched_color = "#4caf50"
quick_switch_threshold_ms = 250
show_title = true
show_app_id = false
max_visible_windows = 20

[profiles.default.wm.key_bindings.c]
apps = [
    "chromium",
    "google-chrome",
]
tags = []
launch_args = []

[profiles.default.wm.key_bindings.d]
apps = [
    "discord",
    "Discord",
]
launch = "discord"
tags = []
launch_args = []

[profiles.default.wm.key_bindings.e]
apps = ["microsoft-edge"]
launch = "microsoft-edge"
tags = []
launch_args = []

[profiles.default.wm.key_bindings.f]
apps = [
    "firefox",
    "org.mozilla.firefox",
]
launch = "firefox"
tags = []
launch_args = []

[profiles.default.wm.key_bindings.g]
apps = [
    "ghostty",
    "com.mitchellh.ghostty",
]
launch = "ghostty"
tags = []
launch_args = []

[profiles.default.wm.key_bindings.m]
apps = ["spotify"]
launch = "spotify"
tags = []
launch_args = []

[profiles.default.wm.key_bindings.n]
apps = [
    "nautilus",
    "org.gnome.Nautilus",
]
launch = "nautilus"
tags = []
launch_args = []

[profiles.default.wm.key_bindings.s]
apps = [
    "slack",
    "Slack",
]
launch = "slack"
tags = []
launch_args = []

[profiles.default.wm.key_bindings.t]
apps = ["thunderbird"]
launch = "thunderbird"
tags = []
launch_args = []

[profiles.default.wm.key_bindings.v]
apps = [
    "code",
    "Code",
    "cursor",
    "Cursor",
]
launch = "code"
tags = []
launch_args = []

[profiles.default.launcher]
max_results = 20
frecency = true

[profiles.default.audit]
enabled = true
retention_days = 90

[profiles.default.launch_profiles]

[profiles.default.platform]

[crypto]
kdf = "argon2id"
hkdf = "blake3"
noise_cipher = "chacha-poly"
noise_hash = "blake2s"
audit_hash = "blake3"
minimum_peer_profile = "leading-edge"

[agents.default]
agent_type = "human"
default_capabilities = ["admin"]
require_master_password = true

[agents.agents]

[extensions.policy]
allowed_registries = []
blocked_namespaces = []
require_signature = false
trusted_signers = []
"""

HOME_MANAGER_CONFIG = """config_version = 3

[agents]

[crypto]

[extensions]

[global]
default_profile = "default"

[global.ipc]

[global.logging]

[profiles.default]
name = "default"

[profiles.default.wm]
hint_keys = "asdfghjkl"
overlay_delay_ms = 150
"""

if variant == "fresh-init":
    os.chmod(cfg, 0o755)
    write(os.path.join(cfg, "config.toml"), INIT_CONFIG, 0o644)
    os.chmod(os.path.join(cfg, "installation.toml"), 0o644)
    os.chmod(os.path.join(vaults, "default.db"), 0o644)
    for suffix in ["db", "salt", "password-wrap", "vault-meta"]:
        os.remove(os.path.join(vaults, f"work.{suffix}"))
if variant in ("deb", "home-manager"):
    os.chmod(cfg, 0o755 if variant == "deb" else 0o700)
    for name in ["config.toml", "installation.toml"]:
        os.chmod(os.path.join(cfg, name), 0o644)
    for profile in ["default", "work"]:
        os.chmod(os.path.join(vaults, f"{profile}.db"), 0o644)
    os.chmod(os.path.join(vaults, "work.salt"), 0o644)
    if variant == "home-manager":
        store = os.path.join(root, "nix", "store", "0a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p-open-sesame-config")
        write(store, HOME_MANAGER_CONFIG, 0o444)
        os.remove(os.path.join(cfg, "config.toml"))
        os.symlink(store, os.path.join(cfg, "config.toml"))
if variant == "pre-init":
    import shutil
    os.chmod(cfg, 0o755)
    for name in ["config.toml", "installation.toml"]:
        os.remove(os.path.join(cfg, name))
    shutil.rmtree(vaults)
    os.remove(os.path.join(root, "default-vault.key"))
    write(os.path.join(cfg, "audit.jsonl"), b"", 0o644)
with open(os.path.join(root, "units.json"), "w") as handle:
    json.dump({"units": units}, handle, indent=1)
print(root)
