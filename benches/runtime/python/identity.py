"""What a Python interpreter says of itself: version, implementation, compiler and
build flags, and the shared objects its process mapped (to prove which libc and
loader it ran on). Printed as one JSON object. Run with -I so that no variable of
the environment changes what it reports."""
import json
import platform
import sys
import sysconfig

with open("/proc/self/maps") as maps:
    objects = sorted({line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6 and line.split(None, 5)[5].startswith("/")})
config = {name: sysconfig.get_config_var(name) for name in ("CONFIG_ARGS", "PY_CFLAGS", "PY_CFLAGS_NODIST", "PY_LDFLAGS", "CC", "LDLIBRARY")}
print(json.dumps({
    "version": platform.python_version(),
    "build": {
        "implementation": platform.python_implementation(),
        "compiler": platform.python_compiler(),
        "build": " ".join(platform.python_build()),
        **{name: value for name, value in config.items() if value is not None},
    },
    "executable": sys.executable,
    "objects": objects,
}))
