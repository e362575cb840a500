// The completion scripts of bash, zsh and fish. Each is a thin shim: at every Tab it hands the
// words typed so far to `hla-compass __complete` (completion/candidates.ts) and shows what comes
// back, so completion always matches the installed CLI and the script never needs regenerating.

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

// bash splits `--env=dev` at the `=` (COMP_WORDBREAKS): a `=` word is dropped, so the engine sees
// `--env dev`, and readline replaces only the text after the `=`. Written for bash 3.2 (macOS)
// too: no negative indices, compopt only where it exists.
const BASH = `# bash completion for hla-compass. Load it from ~/.bashrc:
#   source <(hla-compass completion bash)
# or save it as ~/.local/share/bash-completion/completions/hla-compass
_hla_compass() {
  local -a args=()
  local i word line directive=none
  for (( i = 1; i <= COMP_CWORD; i++ )); do
    word=\${COMP_WORDS[i]}
    if [[ $word == "=" ]]; then
      (( i == COMP_CWORD )) && args+=("")
      continue
    fi
    args+=("$word")
  done
  local cur=\${args[\${#args[@]}-1]}
  local output
  output=$(hla-compass __complete "\${args[@]}" 2>/dev/null) || return 0
  COMPREPLY=()
  while IFS= read -r line; do
    case $line in
      '') ;;
      :files) directive=files ;;
      :*) ;;
      *) COMPREPLY+=("\${line%%$'\\t'*}") ;;
    esac
  done <<< "$output"
  if [[ $directive == files ]]; then
    type compopt >/dev/null 2>&1 && compopt -o filenames 2>/dev/null
    while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "$cur")
  fi
  return 0
}
complete -F _hla_compass hla-compass
`;

// Sourced, it registers itself with compdef; saved as _hla-compass in $fpath, compinit autoloads
// the file as the function _hla-compass, which then runs the completion.
const ZSH = `#compdef hla-compass
# zsh completion for hla-compass. Load it from ~/.zshrc, after compinit:
#   source <(hla-compass completion zsh)
# or save it as _hla-compass in a directory of $fpath
_hla_compass() {
  local -a lines described
  local line directive=none
  lines=("\${(@f)$(hla-compass __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  for line in "\${lines[@]}"; do
    case $line in
      '') ;;
      :files) directive=files ;;
      :*) ;;
      *) described+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}") ;;
    esac
  done
  (( \${#described} )) && _describe -t hla-compass 'hla-compass' described
  [[ $directive == files ]] && _files
  return 0
}
if [[ $funcstack[1] == _hla-compass ]]; then
  _hla_compass "$@"
else
  compdef _hla_compass hla-compass
fi
`;

const FISH = `# fish completion for hla-compass. Load it from ~/.config/fish/config.fish:
#   hla-compass completion fish | source
# or save it as ~/.config/fish/completions/hla-compass.fish
function __hla_compass_complete
    set -l typed (commandline -opc)
    set -l current (commandline -ct)
    set -l lines (hla-compass __complete $typed[2..-1] "$current" 2>/dev/null)
    or return
    for line in $lines
        switch $line
            case :files
                __fish_complete_path "$current"
            case ':*'
            case '*'
                printf '%s\\n' $line
        end
    end
end
complete -c hla-compass -f -a '(__hla_compass_complete)'
`;

export function completionScript(shell: Shell): string {
  return { bash: BASH, zsh: ZSH, fish: FISH }[shell];
}
