// `hla-compass completion bash|zsh|fish`: prints the shell's completion script. The script asks
// the CLI itself at each Tab, so commands, options and values come from the catalog and the
// command definitions of the installed version.
import { defineCommand } from '../command.js';
import { completionScript, SHELLS } from '../completion/scripts.js';
import { UsageError } from '../errors.js';

export default defineCommand({
  description:
    'Prints the completion script of a shell on stdout: commands with their summaries, each ' +
    "command's options, and the values of --env, --template, --scope and the other options " +
    'with a fixed set. Save it where the shell looks for completions (see the examples), or load ' +
    'it at start-up: `source <(hla-compass completion bash)` in ~/.bashrc, ' +
    '`source <(hla-compass completion zsh)` in ~/.zshrc after compinit, ' +
    '`hla-compass completion fish | source` in config.fish. The script asks the CLI at each ' +
    'Tab, so it stays right across upgrades.',
  arguments: [{ name: 'shell', description: 'bash, zsh or fish', required: true, choices: SHELLS }],
  options: {},
  examples: [
    {
      command:
        'hla-compass completion bash > ~/.local/share/bash-completion/completions/hla-compass',
      description: 'bash, with the bash-completion package',
    },
    {
      command: 'hla-compass completion zsh > ~/.zfunc/_hla-compass',
      description: 'zsh, with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc',
    },
    {
      command: 'hla-compass completion fish > ~/.config/fish/completions/hla-compass.fish',
      description: 'fish',
    },
  ],
  async run({ args }, context) {
    // Commander has checked the choice; the lookup gives the typed name.
    const shell = SHELLS.find((name) => name === args.shell);
    if (shell === undefined) throw new UsageError(`no completion for the shell "${args.shell}"`);
    context.output.result({ shell, script: completionScript(shell) }, (result) =>
      result.script.trimEnd(),
    );
    return undefined;
  },
});
