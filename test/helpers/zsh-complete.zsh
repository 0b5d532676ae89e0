# Usage: zsh -f zsh-complete.zsh SCRIPT OUT END LINE...
#
# Completes each LINE in an interactive zsh on a pseudo-terminal (zsh/zpty,
# https://zsh.sourceforge.io/Doc/Release/Zsh-Modules.html#The-zsh_002fzpty-Module,
# as zsh-capture-completion does): compinit, SCRIPT sourced, LINE typed and
# TAB pressed, so zsh's own completion system runs the function compinit
# registered. compadd is wrapped to also append the matches it adds to OUT
# (its -O stores the matches instead of adding them; calls that already use
# -O, -A or -D are passed through). A comppostfuncs hook appends END after
# each completion. What the completion prints on stderr goes to OUT.err.
zmodload zsh/zpty
local script=$1 out=$2 end=$3 n=0 line i
shift 3
: >> $out.err
for line in "$@"; do
  (( n++ ))
  zpty z zsh -f -i
  zpty -w z "autoload -U compinit; compinit -u -D; source ${(q)script}"
  zpty -w z 'compadd() { if (( ${@[(I)-[OAD]]} )); then builtin compadd "$@"; return; fi; local -a m; builtin compadd -O m "$@"; print -rl -- $m >> '${(q)out}'; builtin compadd "$@"; }'
  zpty -w z "mark() { print -r -- ${(q)end} >> ${(q)out}; }; comppostfuncs=(mark); bindkey '^I' complete-word; exec 2>> ${(q)out}.err"
  zpty -w -n z "$line"$'\t'
  for i in {1..400}; do
    [[ -f $out ]] && (( $(grep -cxF -- $end $out) >= n )) && break
    sleep 0.05
  done
  zpty -d z
done
