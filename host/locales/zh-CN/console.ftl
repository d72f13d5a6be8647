# aftersale 网页控制台 — 简体中文（新租户的默认语言）。
# 控制台页面上的每一个字符串都来自这里；英文目录有相同的消息 id（有测试检查）。

brand = aftersale 售后服务台
language-name = 简体中文
skip-to-content = 跳到正文
nav-label = 主导航
nav-queue = 工单队列
nav-new-ticket = 新建工单
nav-dashboard = 服务指标
nav-plugins = 插件
nav-users = 用户
sign-out = 退出登录
back-to-queue = 返回工单队列
save = 保存
continue = 下一步
show = 查看
yes = 是
no = 否
any = 全部
filter = 筛选
filter-clear = 清除筛选
day = 日期
unit-hours = { " " }小时

# 错误
error-not-found = 未找到
error-not-found-hint = 此地址没有内容，或属于其他组织。
error-forbidden = 无权操作
error-forbidden-hint = 您的角色不能执行此操作。
error-gone = 已失效
error-invalid = 操作未成功
error-internal = 出错了
error-internal-hint = 问题已记录，请稍后再试。
error-csrf = 表单已过期或并非来自本站。请刷新页面后重试。

# 登录
signin-title = 登录
signin-login = 登录名
signin-password = 密码
signin-submit = 登录
signin-wrong = 登录名或密码错误。
signin-throttled = 失败次数过多，请 { $minutes } 分钟后再试。
signin-hint = 服务首次启动时会打印首个管理员的登录名和密码；其他人请向管理员索取邀请链接。
account-title = 我的账户
account-login = 登录名
account-role = 角色
account-tenant = 组织
account-time-zone = 时区
account-language = 语言
invite-title = 加入服务台
invite-intro = 您已受邀以 { $login } 加入。请填写姓名并设置密码。
invite-name = 姓名
invite-password = 密码（至少 10 个字符）
invite-submit = 创建账户
reset-title = 设置新密码
reset-intro = 请为 { $login } 设置新密码。保存后，其他已登录的会话将退出。
reset-submit = 保存新密码
users-title = 用户
users-name = 姓名
users-invite = 邀请用户
users-invite-submit = 生成邀请
users-invite-link = 请把此链接发给对方；链接 7 天内有效，只能使用一次：
users-reset-link = 请把此链接发给对方；链接 24 小时内有效，可设置一次新密码：
users-status = 状态
users-enabled = 正常
users-disabled = 已停用
users-actions = 操作
users-change-role = 修改角色
users-disable = 停用
users-enable = 启用
users-reset = 重置密码
users-open-invites = 未使用的邀请和重置链接
users-invite-kind = 类型
users-invite-new = 邀请
users-invite-reset = 重置密码
users-expires = 过期时间
users-revoke = 撤回

# 角色
role-admin = 管理员
role-agent = 客服
role-technician = 技术员
role-partner = 合作伙伴
role-viewer = 只读
role-customer = 顾客
role-system = 系统
actor-customer = 顾客

# 工单队列
queue-title = 工单队列
queue-filters = 筛选工单
queue-empty = 没有符合条件的工单。
paging = 分页
page-first = 第一页
page-next = 下一页
page-of = 第 { $n } 页
field-title = 标题
field-description = 描述
field-kind = 类型
field-state = 状态
field-priority = 优先级
field-assignee = 处理人
field-sla = 时限（SLA）
field-updated = 更新时间
field-created = 创建时间
field-customer = 顾客
field-product = 产品
field-channel = 服务接触点

# SLA
sla-none = —
sla-met = 已达标
sla-paused = 已暂停
sla-running = 计时中
sla-warning = 预警
sla-breached = 已超时
sla-left = 剩余 { $left }
sla-filter-none = 无时限
sla-filter-met = 已达标
sla-filter-paused = 已暂停
sla-filter-running = 计时中
sla-filter-warning = 预警
sla-filter-breached = 已超时
duration-days = { $d }天{ $h }小时
duration-hours = { $h }小时{ $m }分
clocks-title = 时限计时
clock-metric = 计时项
clock-target = 目标
clock-due = 截止
business-time = 工作时间
metric-response = 服务响应
metric-resolution = 服务解决
metric-on-site = 上门到达

# 工单
ticket-summary = 概要
work-title = 处理工单
attributes-title = 属性
transition-note = 备注（随本次操作记录）
save-attributes = 保存属性
no-transitions = 您的角色（{ $role }）在此状态下没有可执行的步骤。
read-only-role = 您的角色（{ $role }）可以查看但不能修改此工单。
form-pairs-hint = 每行一项，格式为 名称 = 值
form-unreadable = 无法读取“{ $field }”，请检查填写的值。
rejected-title = { $plugin } 拒绝了此操作
rejected-rule = 规则 { $rule }
schema-title = 部分属性无效
stale-title = 此工单已被他人修改
stale-hint = 请刷新页面查看最新内容后重试。
refused-title = 未完成
set-by-plugin-title = 由插件设置
actions-title = 业务判定
action-input = “{ $action }”的输入（JSON，可选）
action-answer = “{ $action }”的结果
action-input-not-json = 输入不是合法的 JSON。
survey-title = 顾客满意度调查
survey-answered = 顾客已填写调查。
survey-send = 请把此链接发给顾客（有效期至 { $until }）：
notes-title = 备注
note-body = 备注内容
note-internal = 内部备注（顾客不可见）
note-add = 添加备注
timeline-title = 处理记录
event-created = 创建工单“{ $title }”
event-transitioned = { $from } → { $to }
event-attribute = 设置 { $name }：
event-priority = 优先级 { $before } → { $after }
event-assigned = 指派给 { $who }
event-comment = 评论
event-internal-note = 内部备注
event-linked = 关联（{ $relation }）：
event-plugin-effect = 插件：{ $effect }
event-notification = 通知{ $audience }：
audience-customer = 客户
audience-assignee = 处理人
audience-group-lead = 组长
audience-manager = 经理
audience-stakeholders = 相关方
audience-admins = 管理员
notification-fallback-no-assignee = 工单尚无处理人：已改为通知管理员。
notification-fallback-assignee = 处理人不是有效账号：已改为通知管理员。
notification-fallback-no-teams = 尚未设置团队：已改为通知管理员。
event-timer = 定时器 { $name } 到期
event-sla-warning = 时限预警：{ $metric } 已用 { $percent }%
event-sla-breached = 时限超时：{ $metric }
event-plugin-quarantined = { $plugin } 连续失败 { $failures } 次，已被隔离
event-survey-issued = 已发送调查，有效期至 { $until }
event-survey-answered = 顾客评价：

# 新建工单
new-title = 新建工单
new-choose-kind = 请选择服务类型
new-kind = 类型：{ $kind }。
new-change-kind = 更改
new-request = 服务请求
new-submit = 创建工单
customer-name = 姓名
customer-phone = 电话
customer-email = 电子邮箱
customer-address = 地址
product-category = 品类（如 air_conditioner）
product-model = 型号
product-serial = 序列号
product-price = 价格（如 3299.00）
product-invoice-date = 发票日期
channel-phone = 电话
channel-online = 在线
channel-walk-in = 到店
channel-onsite = 上门
channel-email = 电子邮件
channel-api = 接口

# 服务指标
dashboard-title = 服务指标
dashboard-period = 统计期间
dashboard-hint = 工单按创建日期计入统计期间；时长已扣除等待（暂停）时间，按时限策略采用的工作时间或自然时间计算。
period-from = 开始日期
period-to = 结束日期
export-csv = 导出 CSV
kpi-tickets = 工单数
kpi-resolved = 已解决
kpi-response = 平均服务响应时间
kpi-resolution = 平均服务解决时间
kpi-sla-response = 响应时限达标率
kpi-sla-resolution = 解决时限达标率
kpi-sla-on-site = 上门时限达标率
kpi-fcr = 首次解决率
kpi-surveys = 已回收调查
kpi-csi = 顾客满意度指数（0–100）
kpi-satisfaction = 满意率
kpi-nps = 净推荐值（NPS）
chart-times = 每日服务响应与解决时间（小时）
chart-rates = 每日时限达标率与首次解决率（%）
chart-scores = 每日顾客满意度指数与净推荐值
chart-as-table = 以表格查看：{ $chart }

# 插件
plugins-title = 插件与插件组合
plugins-bindings = 插件组合：各工单类型绑定的插件版本
plugins-version = 插件版本
plugins-bound-at = 绑定时间
plugins-quarantine = 隔离状态
plugins-active = 正常
plugins-quarantined = 已隔离
plugins-quarantined-since = 自 { $at } 起（{ $cause }）
plugins-failing = 连续失败 { $failures } 次
plugins-quarantine-hint = 插件版本连续失败 { $threshold } 次后，将在本租户内被隔离：其工单操作一律拒绝（不做任何更改），直至运维人员通过 POST /api/v1/plugins/{"{"}id{"}"}/release 解除隔离。
plugins-installed = 已安装插件
plugins-contract = 接口契约
plugins-kinds = 工单类型
plugins-actions = 业务判定
plugins-hash = SHA-256

# 顾客调查
survey-page-title = 请为我们的服务评分
survey-intro = { $tenant } 想了解您对本次服务的评价：“{ $ticket }”。
survey-scale = 1 = 很不满意，5 = 非常满意
survey-nps = 您有多大可能向朋友推荐我们？
survey-nps-scale = 0 = 完全不可能，10 = 非常可能
survey-comment = 还有其他想告诉我们的吗？（选填）
survey-submit = 提交
survey-thanks-title = 谢谢您
survey-thanks = 您的评价已提交，感谢您抽出时间。
survey-gone = 此调查已填写或已过期，谢谢。
survey-unknown = 此调查链接无效。
survey-incomplete = 请回答所有问题。
