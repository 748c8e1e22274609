# NixOS module: services.storebench.nightly — a nightly `storebench ci` run,
# the same service and timer as storebench-nightly.{service,timer} beside this
# file (keep the two in step: tests/ci_jobs.rs compares them).
#
# Import it in configuration.nix (or a flake's nixosConfigurations modules):
#
#   { pkgs, ... }: {
#     imports = [ /path/to/storebench/scripts/ci/nixos-module.nix ];
#     services.storebench.nightly = {
#       enable = true;
#       package = pkgs.callPackage /path/to/your/storebench-package.nix { };  # provides bin/storebench
#       config = {                                   # or a path: ./storebench.toml
#         variants.stock.libs = [ "${pkgs.zlib}" ];
#         variants.optimized.libs = [ "${pkgs.zlib.override { /* … */ }}" ];
#         ci.fail_on = "regression > 3%";
#       };
#       extraArgs = [ "--bench" "compress/*" ];      # or [ "--nix-generations" ]
#     };
#   }
#
# then `nixos-rebuild switch`. The history is in /var/lib/storebench/history.db,
# the latest report in /var/lib/storebench/reports/latest/index.html, the log
# in `journalctl -u storebench-nightly`. The unit fails on any exit but 0 (1 a
# gate failed, 2 bad input or never quiet, 3 wrong results or a crash); to be
# told, set systemd.services.storebench-nightly.unitConfig.OnFailure to a
# notifying unit of your own.
#
# If system.autoUpgrade is on, schedule the run after its `dates` (default
# 04:40), e.g. schedule = "*-*-* 05:30", so each night measures that night's
# upgrade; `after` then also makes a run wait for an upgrade still running.
{ config, lib, pkgs, utils, ... }:

let
  cfg = config.services.storebench.nightly;
  toml = pkgs.formats.toml { };
  # A path (or a derivation such as pkgs.writeText) is used as it is; an
  # attribute set is the TOML document itself.
  configFile =
    if builtins.isAttrs cfg.config && !lib.isDerivation cfg.config
    then toml.generate "storebench.toml" cfg.config
    else cfg.config;
  # Where the service reads it: the same path as on any other host, so a run
  # by hand (`storebench ci --config /etc/storebench/storebench.toml`) agrees.
  configPath = "/etc/storebench/storebench.toml";
  state = "/var/lib/storebench";
in
{
  options.services.storebench.nightly = {
    enable = lib.mkEnableOption "a nightly `storebench ci` run";

    package = lib.mkOption {
      type = lib.types.package;
      description = "The storebench package; its bin/storebench is run.";
      example = lib.literalExpression "pkgs.callPackage ./storebench.nix { }";
    };

    config = lib.mkOption {
      type = lib.types.either lib.types.path toml.type;
      default = { ci.fail_on = "regression > 3%"; };
      description = ''
        storebench.toml: a path to one, or its content as an attribute set
        (rendered to TOML). Installed as ${configPath}. Without variants the
        run measures the system's own libraries and compares each night
        with the last.
      '';
    };

    schedule = lib.mkOption {
      type = lib.types.str;
      default = "*-*-* 03:30";
      description = "When to run, as systemd's OnCalendar= (systemd.time(7)).";
    };

    extraArgs = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "--bench" "compress/*" "--nix-generations" ];
      description = "More arguments to `storebench ci`, after the fixed ones.";
    };

    after = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "nixos-upgrade.service" ];
      description = ''
        Units a run waits for when they are running at the same time; a unit
        that does not exist is ignored.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    environment.etc."storebench/storebench.toml".source = configFile;

    systemd.services.storebench-nightly = {
      description = "storebench nightly benchmark run";
      after = cfg.after;
      # profile:, closure: variants and --nix-generations ask nix-store.
      path = [ config.nix.package ];
      # A switch while a run is going must not kill it and start it over.
      restartIfChanged = false;
      serviceConfig = {
        Type = "oneshot";
        # Why each of these: see storebench-nightly.service.
        DynamicUser = true;
        StateDirectory = "storebench";
        TimeoutStartSec = "4h";
        Nice = 0;
        CPUSchedulingPolicy = "other";
        IOSchedulingClass = "best-effort";
        SuccessExitStatus = "0";
        # Quoted for systemd, which is not a shell (% and $ are its own).
        ExecStart = utils.escapeSystemdExecArgs ([
          "${cfg.package}/bin/storebench" "ci"
          "--config" configPath
          "--require-quiet=15m" "--confirm" "2"
          "--history" "${state}/history.db"
          "--report-dir" "${state}/reports/latest"
          "--json" "${state}/latest.json"
          "--export" "markdown=${state}/latest.md"
        ] ++ cfg.extraArgs);
      };
    };

    systemd.timers.storebench-nightly = {
      description = "storebench nightly benchmark run (timer)";
      wantedBy = [ "timers.target" ];
      timerConfig = {
        OnCalendar = cfg.schedule;
        Persistent = true;
        RandomizedDelaySec = "20m";
      };
    };
  };
}
