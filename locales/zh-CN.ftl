# logoff — 简体中文消息（与参考目录 en.ftl 的消息 ID 相同）。

help-usage = 用法：{ $synopsis }
help-intro =
    从会话主机上的会话中注销用户并删除该会话：会话的所有进程都会结束，
    该会话也会从主机中删除。
help-intro-qwinsta =
    显示会话主机上的会话信息：所有会话，或按会话名、用户名或会话 ID
    选出的会话。
help-intro-quser =
    显示会话主机上用户会话的信息：谁已登录、在哪个会话中、自何时登录，
    以及已空闲多久。

# 用法和开关列表中的占位符，显示为 <servername>。
help-value-sessionname = sessionname
help-value-sessionid = sessionID
help-value-servername = servername
help-value-username = username
help-value-file = file
help-value-seconds = seconds
help-value-state = 状态
help-value-backend = 后端
help-value-duration = 时长
help-value-text = 文本
help-value-n = n

# 每条一段：/? 会按宽度自动换行。
help-arg-sessionname = 会话的名称：它的终端（pts/3、tty2）、它的 X 显示（:10）或 "console"。
help-arg-sessionid = 会话的 logind ID（12、c3）。两者都未指定时，注销你的当前会话。
help-switch-server = 会话所在的会话主机（默认为本机），通过 ssh 访问（使用其 systemd-stdio-bridge，否则使用其 logoff）。可以是任何 ssh 目标：别名、user@host、host:port。多个主机：/server:a,b,c 或 /server:@<file>（每行一个主机，#{ "\u00A0" }表示注释）。
help-switch-user = 该用户的所有会话（批量注销）。
help-switch-verbose = 显示正在执行的操作。
help-switch-force = 也注销控制台（物理座位）会话。
help-switch-timeout = 等待会话结束的时长，超时后用 SIGKILL 终止其进程（默认为 { $default }；{ $min } 到 { $max }，可带小数）。
help-switch-connect-timeout = 等待主机或其总线应答的时长（默认为 { $default }；{ $min } 到 { $max }）。
help-switch-parallel = 同时处理的主机数（默认为 { $default }；{ $min } 到 { $max }）。
help-switch-help = 显示此帮助。
help-switch-version = 显示版本。
help-switch-whatif = 显示将被注销的会话及其进程，但不做任何更改。
help-switch-yes = 注销多个会话前不询问。
help-switch-backend = 通过 logind 或 proc（登录记录和 /proc）询问每台主机；默认在主机总线为其应答时用 logind，否则用 proc。
help-switch-state = 仅处于此状态的会话：disc（与 /disconnected 相同）。
help-switch-disconnected = 仅已断开的会话（首进程已结束、仍有进程：qwinsta 中的 Disc）。
help-switch-idle = 仅空闲至少这么久的会话（90s、30m、2h、1d、1h30m；纯数字表示分钟）。
help-switch-delay = 警告与注销之间的秒数（默认 { $default }；{ $min } 到 { $max }）；没有 /msg 时显示默认文本。
help-switch-msg = 注销前在每个会话中显示此文本并倒计时（等待 /delay，默认 60 秒）。
help-switch-json = 以单个 JSON 文档的形式在标准输出上打印结果。
# qwinsta 和 quser：位置参数是筛选条件。
help-arg-query-sessionname = 仅显示具有此名称的会话：终端（pts/3、tty2）、X 显示（:10）或 "console"。
help-arg-query-username = 仅显示该用户的会话（用户名或 UID）。
help-arg-query-sessionid = 仅显示具有此 logind ID 的会话（12、c3）。不带参数时列出所有会话。
help-switch-server-query = 要查询的会话主机（默认为本机），通过 ssh 访问（使用其 systemd-stdio-bridge，否则使用其 logoff）。可以是任何 ssh 目标：别名、user@host、host:port。多个主机：/server:a,b,c 或 /server:@<file>（每行一个主机，#{ "\u00A0" }表示注释）。

help-forms =
    开关也可以写成 -v、--verbose、--server=NAME、--user NAME 等形式，
    不区分大小写；-- 表示开关结束。
help-permission =
    注销其他用户的会话需要 logind 的许可（root，或 polkit 的
    org.freedesktop.login1.manage）。请事先警告用户：会话中未保存的工作
    将会丢失。
help-exit-status =
    退出状态：
      0  所有目标会话均已结束                  5  控制台会话被拒绝
      1  内部错误，或无法写出输出              6  SIGKILL 后仍有进程残留
      2  参数无效                              7  无法访问主机、总线或 logind
      3  会话或用户会话不存在、名称有歧义，    8  多个主机：部分失败
         或没有当前会话                      130  已中断（Ctrl-C、TERM、HUP）
      4  拒绝访问                              9  未确认：未注销任何会话
help-forms-query =
    开关也可以写成 -json、--json、--server=NAME、--server NAME 等形式，
    不区分大小写；-- 表示开关结束。
help-columns-qwinsta =
    列：SESSIONNAME、USERNAME、ID、STATE、TYPE、DEVICE；">" 标记你自己的
    会话。STATE 为 Active（logind 中为 active）、Conn（online：已登录但不在
    前台）或 Disc（closing：正在结束，或其首进程已退出）。
help-columns-quser =
    列：USERNAME、SESSIONNAME、ID、STATE、IDLE TIME、LOGON TIME；">" 标记
    你自己的会话。STATE 为 Active（logind 中为 active）、Conn（online：已登录
    但不在前台）或 Disc（closing：正在结束，或其首进程已退出）。
help-exit-status-query =
    退出状态：
      0  已列出会话                            7  无法访问主机、总线或 logind
      1  内部错误，或无法写出输出              8  多个主机：部分失败
      2  参数无效                            130  已中断（Ctrl-C、TERM、HUP）
      3  没有会话，或没有会话与筛选条件匹配
version = { $program } { $version }

# 错误的命令行。其后会显示用法。
err-invalid = 参数无效：{ $detail }
err-unknown-switch = 未知开关“{ $switch }”
err-too-many-sessions = 指定了多个会话（“{ $first }”和“{ $second }”）
err-missing-value = “{ $option }”需要一个值
err-empty-value = “{ $option }”的值为空
err-unexpected-value = “{ $option }”不接受值
err-invalid-value = “{ $value }”不是“{ $option }”的有效值
err-duplicate = “{ $option }”指定了多次
err-session-and-user = 会话和 /user 不能同时使用
err-state-with-session = /idle 和 /disconnected 用于选择会话；请单独使用或与 /user: 一起使用，不要与会话 ID 或名称一起使用
err-server-needs-target = /server 需要会话 ID、会话名称、/user、/idle 或 /disconnected（在其他主机上没有当前会话）
err-not-unicode = 参数不是有效的文本：“{ $arg }”
err-bad-host-dash = 拒绝主机名“{ $host }”：它以“-”开头，会被 ssh 当作选项
err-bad-host-space = 拒绝主机名“{ $host }”：它包含空白字符或控制字符
err-bad-host-empty = 拒绝主机名“{ $host }”：它没有指定任何主机
err-bad-host-port = 拒绝主机名“{ $host }”：端口不是 1 到 65535 之间的数字
err-host-file = 无法读取主机列表“{ $path }”：{ $reason }
err-host-file-empty = 主机列表“{ $path }”中没有任何主机

# 会话。
err-not-found = { $host } 上没有会话“{ $session }”
err-ambiguous = 会话名称“{ $name }”在 { $host } 上有歧义，可能是以下任一会话：
err-no-current-session = 此进程不在登录会话中；请指定会话 ID 或会话名称
err-access-denied = 拒绝访问：{ $host } 上的会话 { $id } 属于 { $user }
err-console = 无法从控制台会话注销用户（{ $host } 上 { $user } 的会话 { $id }）；使用 /force 可强制注销
err-timed-out = 即使在 SIGKILL 之后，{ $host } 上 { $user } 的会话 { $id } 仍未被删除；残留的进程：
candidate-header = ID        用户        名称        状态
sessions-there = { $host } 上的会话：
process-line = { $pid } { $cmd }

# 主机和总线。
err-no-bus = 无法连接到 { $host } 上的系统总线：{ $reason }
err-no-logind = { $host } 上没有运行 systemd-logind（其系统总线上没有 org.freedesktop.login1 的所有者）
err-no-records = 无法读取 { $host } 的登录记录（它没有 logind）：{ $reason }
err-no-agent = { $host } 既没有安装 systemd-stdio-bridge 也没有安装 logoff：请在那里安装其中之一以便访问
err-agent-mismatch = { $host } 上的 logoff { $theirs } 不使用此 logoff（{ $ours }）的代理协议：请在那里安装相同的版本
err-unreachable = 无法访问 { $host }：{ $reason }
err-auth = 向 { $host } 进行身份验证失败：{ $reason }
err-no-bridge = { $host } 上没有 systemd-stdio-bridge：{ $reason }
err-connect-timeout = { $host } 在 { $secs } 秒内没有应答
err-no-reply = { $secs } 秒内无人回答 ssh 对 { $host } 的提示
err-no-ssh = 无法运行 ssh：{ $reason }
err-bus = 来自 { $host } 的意外 D-Bus 错误：{ $reason }
err-some-hosts-failed = { $total } 个主机中有 { $failed } 个失败

# /v
v-connecting = 正在连接到 { $host }（ssh：systemd-stdio-bridge，否则使用该主机上的 logoff）...
v-connected = 已连接到 { $host }，用时 { $ms } 毫秒
v-agent = { $host }：由该主机上的 logoff { $version } 应答（代理模式：在该主机上未发现 systemd-stdio-bridge、系统总线或正在运行的 logind）
v-backend-logind = { $host }：会话来自 logind（其系统总线为 org.freedesktop.login1 应答）
v-backend-proc-asked = { $host }：会话来自其登录记录和 /proc（--backend=proc）
v-backend-proc-no-bus = { $host }：会话来自其登录记录和 /proc（没有系统总线：{ $reason }）
v-backend-proc-not-on-bus = { $host }：会话来自其登录记录和 /proc（其系统总线上没有 logind）
v-backend-proc-cannot-start = { $host }：会话来自其登录记录和 /proc（其系统总线无法启动 logind：{ $reason }）
v-resolved-id = { $host } 上 { $user } 的会话 { $id }（按 ID 指定{ $name }）
v-resolved-name = { $host } 上 { $user } 的会话 { $id }（按名称“{ $name }”找到）
v-resolved-current = { $host } 上 { $user } 的会话 { $id }（你的当前会话）
v-resolved-user = { $host } 上 { $user } 的会话 { $id }（{ $user } 的所有会话）
v-no-sessions = { $user } 在 { $host } 上没有会话
v-resolved-state = { $host } 上 { $user } 的会话 { $id }（{ $name }）
v-none-matching = { $host } 上没有符合 { $filter } 的会话
v-warned = 已警告 { $host } 上 { $user } 的会话 { $id }：将在 { $time } 后注销
v-not-warned = 无法在 { $host } 上 { $user } 的会话 { $id } 中显示警告（没有可到达的终端或显示）；仍将在 { $time } 后注销
notice = [logoff] { $who }：{ $text } { $tail }
notice-left = 您将在 { $time } 后被注销：请立即保存您的工作。
notice-cancelled = 注销已取消：您可以继续工作。
notice-default = 此会话即将被注销。
notice-seconds = { $n } 秒
notice-minutes = { $n } 分钟
why-idle = 空闲 { $minutes } 分钟
why-disconnected = 已断开
v-requesting = 正在注销 { $host } 上的会话 { $id }（TerminateSession）
v-requesting-proc = 正在注销 { $host } 上的会话 { $id }（向其每个进程发送 SIGTERM、SIGCONT 和 SIGHUP）
v-already-gone = { $host } 上的会话 { $id } 已经结束
v-waiting = 最多等待 { $secs } 秒，直到 { $host } 上的 { $count ->
       *[other] { $count } 个会话
    }结束
v-escalating = 超时后 { $host } 上的会话 { $id } 仍有 { $count ->
       *[other] { $count } 个进程
    }：正在终止它们（SIGKILL）
v-ended = 已注销 { $host } 上 { $user } 的会话 { $id }（{ $ms } 毫秒）

# 多个主机。
host-ok = { $host }：{ $count ->
        [0] 没有要结束的会话
       *[other] 已结束 { $count } 个会话
    }（{ $secs } 秒）
host-failed = { $host }：失败：{ $reason }（{ $secs } 秒）
summary = { $total } 个主机中已完成 { $ok } 个，{ $secs } 秒内结束了 { $sessions ->
       *[other] { $sessions } 个会话
    }
progress = 已完成 { $done }/{ $total } 个主机
confirm-header = 将注销这 { $count } 个会话：
confirm-question = 注销这 { $count } 个会话？[y/N]
confirm-yes = y,yes,是
progress-countdown = { $time } 后注销（Ctrl-C 取消）

# 可靠性工作新增：如实报告结果、有界等待、中断。
err-session-many-hosts = 会话 ID 或名称只属于一台主机，不能与多台主机一起使用；多台主机请使用 /user:<username>
host-file-not-found = 文件不存在
host-file-denied = 权限不足
host-file-directory = 这是一个目录
host-file-not-text = 不是 UTF-8 文本
host-file-too-large = 大于 { $mib } MiB
err-no-user-session = { $user } 在 { $host } 上没有会话
err-no-such-user = { $host } 上没有用户“{ $user }”
err-no-user-session-anywhere = { $user } 在 { $hosts ->
        [one] 该主机
       *[other] 全部 { $hosts } 台主机
    }上都没有会话
err-logind-failed = 无法在 { $host } 上启动 systemd-logind：{ $reason }
err-no-answer = { $host } 上的系统总线在 { $secs } 秒内没有应答
err-interrupted = 被 { $signal } 中断
err-cancelled = 警告期间被 { $signal } 取消：{ $host } 上没有会话被注销；已告知 { $warned } 个被警告会话中的 { $told } 个
err-declined = 没有注销任何会话（未确认）
err-not-looked-at = 未注销任何会话：有 { $hosts } 个主机无法查看，因此无法确认列表（/y 可不经确认继续）
err-output = 无法写出输出：{ $reason }
outcome-still-there = 已请求结束 { $host } 上 { $user } 的会话 { $id }，但它仍然存在
outcome-unknown = 已请求结束 { $host } 上 { $user } 的会话 { $id }；不清楚它是否已经结束
outcome-not-asked = 未请求结束 { $host } 上 { $user } 的会话 { $id }
ended = 已注销 { $host } 上 { $user } 的会话 { $id }
v-signalling = { $host } 上的会话 { $id } 正在关闭（其首进程已不存在）：向其进程发送 SIGTERM
warn-audit-lost = 警告：无法写入审计记录：本机没有系统日志（/dev/log），也没有 journald 套接字

# 列表（qwinsta、quser）与 /whatif。
q-server = 服务器
q-sessionname = 会话名
q-username = 用户名
q-id = ID
q-state = 状态
q-type = 类型
q-device = 设备
q-idle = 空闲时间
q-logon = 登录时间
state-active = 运行中
state-conn = 已连接
state-disc = 已断开
idle-none = 无
err-no-match = { $host } 上没有与“{ $filter }”匹配的会话
err-no-sessions = { $host } 上没有会话
whatif-session = 假设运行：将注销 { $host } 上 { $user } 的会话 { $id }（{ $name }），{ $count ->
        [0] 其中已没有进程
       *[other] 其 { $count } 个进程：
    }
