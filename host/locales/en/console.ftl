# aftersale web console — English.
# Every string a console page shows comes from here; the zh-CN catalogue has
# the same message ids (a test checks).

brand = aftersale
language-name = English
skip-to-content = Skip to content
nav-label = Main
nav-queue = Queue
nav-new-ticket = New ticket
nav-dashboard = Dashboard
nav-plugins = Plugins
nav-users = Users
sign-out = Sign out
back-to-queue = Back to the queue
save = Save
continue = Continue
show = Show
yes = Yes
no = No
any = Any
filter = Filter
filter-clear = Clear filters
day = Day
unit-hours = { " " }h

# Errors
error-not-found = Not found
error-not-found-hint = There is nothing at this address, or it belongs to another organisation.
error-forbidden = Not allowed
error-forbidden-hint = Your role may not do this.
error-gone = No longer available
error-invalid = That did not work
error-internal = Something went wrong
error-internal-hint = The problem was logged. Please try again in a moment.
error-csrf = The form has expired or did not come from this site. Reload the page and try again.

# Signing in
signin-title = Sign in
signin-login = Login
signin-password = Password
signin-submit = Sign in
signin-wrong = The login or the password is wrong.
signin-throttled = Too many failed attempts. Try again in { $minutes } min.
signin-hint = On first start the server prints the first admin's login and password. Ask your admin for an invitation otherwise.
account-title = Your account
account-login = Login
account-role = Role
account-tenant = Organisation
account-time-zone = Time zone
account-language = Language
invite-title = Join your service desk
invite-intro = You were invited as { $login }. Choose your name and a password.
invite-name = Your name
invite-password = Password (at least 10 characters)
invite-submit = Create my account
reset-title = Choose a new password
reset-intro = Choose a new password for { $login }. Your other sessions end when you save it.
reset-submit = Save the new password
users-title = Users
users-name = Name
users-invite = Invite someone
users-invite-submit = Create invitation
users-invite-link = Send this link to the person; it works once, for 7 days:
users-reset-link = Send this link to the person; it sets a new password once, within 24 hours:
users-status = Status
users-enabled = Active
users-disabled = Disabled
users-actions = Actions
users-change-role = Change role
users-disable = Disable
users-enable = Enable
users-reset = Reset password
users-open-invites = Open invitations and reset links
users-invite-kind = Kind
users-invite-new = Invitation
users-invite-reset = Password reset
users-expires = Expires
users-revoke = Withdraw

# Roles
role-admin = Admin
role-agent = Agent
role-technician = Technician
role-partner = Partner
role-viewer = Viewer
role-customer = Customer
role-system = System
actor-customer = Customer

# Queue
queue-title = Queue
queue-filters = Filter the queue
queue-empty = No tickets match.
paging = Pages
page-first = First page
page-next = Next page
page-of = Page { $n }
field-title = Title
field-description = Description
field-kind = Kind
field-state = State
field-priority = Priority
field-assignee = Assignee
field-appointment = Appointment
field-team = Team
field-sla = SLA
field-updated = Updated
field-created = Created
field-customer = Customer
field-product = Product
field-channel = Channel

# SLA
sla-none = —
sla-met = Met
sla-paused = Paused
sla-running = Running
sla-warning = Warning
sla-breached = Breached
sla-left = { $left } left
sla-filter-none = No SLA
sla-filter-met = Met
sla-filter-paused = Paused
sla-filter-running = Running
sla-filter-warning = Warning
sla-filter-breached = Breached
duration-days = { $d } d { $h } h
duration-hours = { $h } h { $m } min
clocks-title = SLA clocks
clock-metric = Clock
clock-target = Target
clock-due = Due
business-time = business hours
metric-response = Response
metric-resolution = Resolution
metric-on-site = On-site arrival

# Ticket
ticket-summary = Summary
work-title = Work on this ticket
attributes-title = Attributes
transition-note = Note (goes with the change)
save-attributes = Save attributes
no-transitions = Your role ({ $role }) has no step to take in this state.
read-only-role = Your role ({ $role }) can read this ticket but not change it.
form-pairs-hint = one item per line, as name = value
form-unreadable = “{ $field }” cannot be read; check the value.
rejected-title = Refused by { $plugin }
rejected-rule = Rule { $rule }
schema-title = Some attributes are not valid
stale-title = Someone else changed this ticket
stale-hint = Reload the page to see the change, then try again.
refused-title = Not done
set-by-plugin-title = Set by the plugin
actions-title = Decisions
action-input = Input for “{ $action }” (JSON, optional)
action-answer = Answer of “{ $action }”
action-input-not-json = The input is not JSON.
survey-title = Customer survey
survey-answered = The customer answered the survey.
survey-send = Send the customer this link (valid until { $until }):
notes-title = Notes
note-body = Note
note-internal = Internal (not shown to the customer)
note-add = Add note
timeline-title = Timeline
event-created = Opened “{ $title }”
event-transitioned = { $from } → { $to }
event-attribute = Set { $name }:
event-priority = Priority { $before } → { $after }
event-assigned = Assigned to { $who }
event-dispatched = { $technician } booked from { $from } to { $to }
event-team = Moved to the queue of { $team }
event-escalated = Escalated to tier { $tier } ({ $team })
event-escalated-nowhere = Escalated to tier { $tier }, which no team serves
event-comment = Comment
event-internal-note = Internal note
event-linked = Linked ({ $relation }):
event-plugin-effect = Plugin: { $effect }
event-notification = Notification to { $audience }:
audience-customer = the customer
audience-assignee = the assignee
audience-group-lead = the group lead
audience-manager = the manager
audience-stakeholders = the stakeholders
audience-admins = the admins
notification-fallback-no-assignee = The ticket has no assignee: the admins were notified instead.
notification-fallback-assignee = The assignee is not an active account: the admins were notified instead.
notification-fallback-no-teams = No teams are set up: the admins were notified instead.
notification-fallback-no-team = The ticket is in no team's queue: the admins were notified instead.
notification-fallback-no-manager = The ticket's team has no manager: the admins were notified instead.
notification-fallback-not-an-account = The team's lead or manager is not an active account: the admins were notified instead.
notification-fallback-no-team-for-tier = No team serves that tier: the admins were notified instead.
event-timer = Timer { $name } came due
event-sla-warning = SLA warning: { $metric } at { $percent } %
event-sla-breached = SLA breached: { $metric }
event-plugin-quarantined = { $plugin } was quarantined after { $failures } failures in a row
event-survey-issued = Survey sent, valid until { $until }
event-survey-answered = Survey answered:

# New ticket
new-title = New ticket
new-choose-kind = What kind of request is it?
new-kind = Kind: { $kind }.
new-change-kind = Change
new-request = Request
new-submit = Open ticket
customer-name = Name
customer-phone = Phone
customer-email = Email
customer-address = Address
product-category = Category (e.g. air_conditioner)
product-model = Model
product-serial = Serial number
product-price = Price (e.g. 3299.00)
product-invoice-date = Invoice date
channel-phone = Phone
channel-online = Online
channel-walk-in = Walk-in
channel-onsite = On site
channel-email = Email
channel-api = API

# Dashboard
dashboard-title = Dashboard
dashboard-period = Period
dashboard-hint = Tickets count in the period they were opened; times exclude waiting time, in the hours the SLA policy uses.
period-from = From
period-to = To
export-csv = Export CSV
kpi-tickets = Tickets
kpi-resolved = Resolved
kpi-response = Mean response time
kpi-resolution = Mean resolution time
kpi-sla-response = Response SLA met
kpi-sla-resolution = Resolution SLA met
kpi-sla-on-site = On-site SLA met
kpi-fcr = First-contact resolution
kpi-surveys = Surveys answered
kpi-csi = CSI (0–100)
kpi-satisfaction = Satisfaction rate
kpi-nps = NPS
chart-times = Response and resolution time per day (hours)
chart-rates = SLA compliance and first-contact resolution per day (%)
chart-scores = CSI and NPS per day
chart-as-table = { $chart } as a table

# Plugins
plugins-title = Plugins and bundle
plugins-bindings = Bundle: which plugin version owns each kind
plugins-version = Plugin version
plugins-bound-at = Bound since
plugins-quarantine = Quarantine
plugins-active = Active
plugins-quarantined = Quarantined
plugins-quarantined-since = since { $at } ({ $cause })
plugins-failing = { $failures } failures in a row
plugins-quarantine-hint = A plugin version that fails { $threshold } calls in a row is quarantined for this tenant: its tickets are refused (nothing changes) until an operator releases it with POST /api/v1/plugins/{"{"}id{"}"}/release.
plugins-installed = Installed plugins
plugins-contract = Contract
plugins-kinds = Kinds
plugins-actions = Decisions
plugins-hash = SHA-256

# Survey (customer)
survey-page-title = How did we do?
survey-intro = { $tenant } would like to know how the service went: “{ $ticket }”.
survey-scale = 1 = very poor, 5 = excellent
survey-nps = How likely are you to recommend us to a friend?
survey-nps-scale = 0 = not at all, 10 = extremely likely
survey-comment = Anything else you want to tell us? (optional)
survey-submit = Send
survey-thanks-title = Thank you
survey-thanks = Your answer was recorded. Thank you for your time.
survey-gone = This survey was answered already or has expired. Thank you.
survey-unknown = This survey link is not valid.
survey-incomplete = Please answer every question.
