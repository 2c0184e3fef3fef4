package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const rootLong = `RingTrace 医保团伙欺诈图分析：从医保结算数据构建参保人、医生、定点机构和定点药店的关系图，
检测串通就医、借卡冒名就医、药店聚敛盗刷和死亡人员冒用，并为调查工作台提供服务。

RingTrace finds collusion in public medical insurance: it builds the graph of patients, doctors,
institutions and pharmacies from a claims export, detects rings and leads, and serves the
investigation workbench.

Every flag can also be set in the config file (--config, YAML, TOML or JSON) or as a
RINGTRACE_<FLAG> environment variable (dashes become underscores); a flag given on the command
line wins over the variable, the variable over the file, the file over the default.
每个参数也可写在配置文件（--config）或环境变量 RINGTRACE_<参数名>（横线改为下划线）中；优先级：命令行 > 环境变量 > 配置文件 > 默认值。`

const rootExample = `  # 生成示例数据、导入、检测、评估 / generate sample data, ingest, detect, evaluate
  ringtrace generate --out demo/csv --patients 20000
  ringtrace ingest --data demo/csv --db demo/graph
  ringtrace detect --db demo/graph --out demo/findings.json
  ringtrace eval --truth demo/csv/truth.json --findings demo/findings.json

  # 检查部署环境，然后启动工作台 / check the set-up, then serve the workbench
  ringtrace doctor --db demo/graph --holidays holidays.json
  ringtrace serve --db demo/graph --listen 127.0.0.1:8080`

// newRoot builds the command tree afresh (flags hold parsed state, so each run gets its own).
// *entered turns true once a command's own code runs: an error before that is bad usage.
func newRoot(env *Env) (*cobra.Command, *bool) {
	entered := new(bool)
	root := &cobra.Command{
		Use:           "ringtrace",
		Short:         "RingTrace: collusion rings in medical-insurance claims (医保团伙欺诈图分析)",
		Long:          rootLong,
		Example:       rootExample,
		Version:       Version,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetVersionTemplate("ringtrace {{.Version}}\n")
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.PersistentFlags().String("config", "", "config file (YAML, TOML or JSON); RINGTRACE_CONFIG")
	root.SetFlagErrorFunc(flagError)
	for _, c := range commands {
		root.AddCommand(c.cobra(env, entered))
	}
	root.AddCommand(&cobra.Command{
		Use:     "version",
		Short:   "print the version (显示版本)",
		Long:    "显示 ringtrace 的版本。\nPrint ringtrace's version.",
		Example: "  # 显示版本 / print the version\n  ringtrace version",
		Args:    noArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			*entered = true
			fmt.Fprintln(cmd.OutOrStdout(), "ringtrace", Version)
		},
	})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "completion":
			c.Short = "generate the shell completion script (生成命令补全脚本): bash, zsh, fish or powershell"
			c.Long = "生成 ringtrace 的命令补全脚本（bash、zsh、fish、powershell），各子命令的帮助说明如何启用。\n\n" + c.Long
			c.Example = "  # bash：当前会话启用补全 / enable completion in this bash session\n  source <(ringtrace completion bash)\n\n  # zsh、fish：写入补全目录 / zsh, fish: write into the completion directory\n  ringtrace completion zsh > \"${fpath[1]}/_ringtrace\"\n  ringtrace completion fish > ~/.config/fish/completions/ringtrace.fish"
			for _, s := range c.Commands() {
				s.Long = fmt.Sprintf("生成 %s 的命令补全脚本，启用方法如下。\n\n", s.Name()) + s.Long
				s.Example = fmt.Sprintf("  # 生成 %[1]s 补全脚本 / write the %[1]s completion script\n  ringtrace completion %[1]s > ringtrace.%[1]s", s.Name())
			}
		case "help":
			c.Example = "  # 查看 detect 的帮助 / help on detect\n  ringtrace help detect"
		}
	}
	return root, entered
}

func (c *command) name() string { return strings.Fields(c.use)[0] }

// cobra turns c (and its subcommands) into a cobra command whose flags are bound to viper by
// bindConfig when it runs.
func (c *command) cobra(env *Env, entered *bool) *cobra.Command {
	cc := &cobra.Command{
		Use:                        c.use,
		Short:                      c.summary,
		Long:                       c.long,
		Example:                    c.example,
		Args:                       c.args,
		SuggestionsMinimumDistance: 2,
	}
	if c.flags != nil {
		c.flags(cc.Flags())
	}
	if len(c.subs) > 0 {
		for _, s := range c.subs {
			cc.AddCommand(s.cobra(env, entered))
		}
		// A group runs nothing itself: without a known subcommand it is bad usage, with the
		// nearest names suggested.
		cc.Args = subcommandArgs
		cc.RunE = func(*cobra.Command, []string) error { return nil }
		return cc
	}
	if cc.Args == nil {
		cc.Args = noArgs
	}
	run := c.run
	cc.RunE = func(cmd *cobra.Command, _ []string) error {
		*entered = true
		v, err := bindConfig(cmd.Flags())
		if err != nil {
			return &exitError{2, err}
		}
		return run(cmd.Context(), env, v, cmd.Flags())
	}
	return cc
}

// noArgs refuses positional arguments, naming the first.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &exitError{2, fmt.Errorf("unexpected argument %q / 多余的参数", args[0])}
	}
	return nil
}

// subcommandArgs is the argument check of a group: it is only reached when no subcommand
// matched, so any argument is an unknown subcommand.
func subcommandArgs(cmd *cobra.Command, args []string) error {
	var names []string
	for _, s := range cmd.Commands() {
		if s.IsAvailableCommand() {
			names = append(names, s.Name())
		}
	}
	want := strings.Join(names, ", ")
	if len(args) == 0 {
		return &exitError{2, fmt.Errorf("需要子命令 / a subcommand is required: one of %s", want)}
	}
	msg := fmt.Sprintf("unknown subcommand %q / 未知的子命令 (want one of %s)", args[0], want)
	if sug := cmd.SuggestionsFor(args[0]); len(sug) > 0 {
		msg += "\n\nDid you mean this? / 您是不是要：\n\t" + strings.Join(sug, "\n\t")
	}
	return &exitError{2, fmt.Errorf("%s", msg)}
}

// exactArgs wants n positional arguments, refusing with usage otherwise.
func exactArgs(n int, usage string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &exitError{2, fmt.Errorf("usage: %s", usage)}
		}
		return nil
	}
}

// flagError makes a flag that does not parse a usage error (exit 2), suggesting the nearest
// flag names for an unknown one.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		if sug := suggestFlags(cmd.Flags(), name); len(sug) > 0 {
			msg += "\n\nDid you mean this? / 您是不是要：\n\t--" + strings.Join(sug, "\n\t--")
		}
	}
	return &exitError{2, fmt.Errorf("%s", msg)}
}

// suggestFlags returns the flags of fs within two edits of name, or that start with it or it with them.
func suggestFlags(fs *pflag.FlagSet, name string) []string {
	var out []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if editDistance(name, f.Name) <= 2 || (len(name) >= 3 && strings.HasPrefix(f.Name, name)) {
			out = append(out, f.Name)
		}
	})
	sort.Strings(out)
	return out
}

// editDistance is the Levenshtein distance of a and b, case-insensitive.
func editDistance(a, b string) int {
	s, t := []rune(strings.ToLower(a)), []rune(strings.ToLower(b))
	prev := make([]int, len(t)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(s); i++ {
		cur := make([]int, len(t)+1)
		cur[0] = i
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(t)]
}
