# Evaluates scripts/ci/nixos-module.nix without nixpkgs, for tests/ci_jobs.rs.
#
# The stub `lib`, `pkgs` and `utils` hold only what the module calls, and
# behave as nixpkgs' do where the result is observed (mkIf, escaping the
# command line). There is no module system: the options are read from the
# module itself, their defaults overlaid with `settings`, and the module's
# `config` is evaluated against that. Types are not checked.
{ module, settings }:

let
  lib = {
    mkOption = attrs: attrs;
    mkEnableOption = name: { default = false; description = "Whether to enable ${name}."; };
    mkIf = cond: value: if cond then value else { };
    literalExpression = text: { _type = "literalExpression"; inherit text; };
    isDerivation = value: builtins.isAttrs value && (value.type or null) == "derivation";
    types = {
      package = "package";
      path = "path";
      str = "str";
      listOf = elem: "listOf ${elem}";
      either = a: b: "either";
    };
  };

  pkgs.formats.toml = { }: {
    type = "toml value";
    # Stands for the store path of the rendered file: what was asked for, by name.
    generate = name: value: { generated = name; inherit value; };
  };

  # As nixpkgs' nixos/lib/utils.nix: each argument a JSON string, % and $ doubled.
  utils.escapeSystemdExecArgs = args:
    builtins.concatStringsSep " " (map
      (arg: builtins.replaceStrings [ "%" "$" ] [ "%%" "$$" ] (builtins.toJSON (toString arg)))
      args);

  evalWith = overrides:
    let
      options = (import module { inherit lib pkgs utils; config = config; }).options;
      defaults = builtins.mapAttrs (_: option: option.default or null)
        options.services.storebench.nightly;
      config = {
        services.storebench.nightly = defaults // overrides;
        nix.package = "/nix/store/00000000000000000000000000000000-nix";
      };
    in
    {
      inherit defaults;
      inherit (import module { inherit lib pkgs utils config; }) config;
    };

  enabled = evalWith settings;
in
{
  inherit (enabled) defaults;
  service = enabled.config.systemd.services.storebench-nightly;
  timer = enabled.config.systemd.timers.storebench-nightly;
  etc = enabled.config.environment.etc;
  disabled = (evalWith (settings // { enable = false; })).config;
}
