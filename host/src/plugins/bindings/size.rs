//! How much text a value carries across the boundary, the measure the input
//! and output limits are stated in. Fixed-size fields (numbers, flags,
//! enums) are noise next to the text and count as nothing, or as a small
//! constant per item so that a flood of empty items still adds up.

use super::since_v1_0_0::aftersale::plugin::types as w;

/// Bytes of text in a value of the contract.
pub trait TextSize {
    fn text_size(&self) -> usize;
}

impl TextSize for String {
    fn text_size(&self) -> usize {
        self.len()
    }
}

impl TextSize for str {
    fn text_size(&self) -> usize {
        self.len()
    }
}

impl<T: TextSize> TextSize for Option<T> {
    fn text_size(&self) -> usize {
        self.as_ref().map_or(0, T::text_size)
    }
}

impl<T: TextSize> TextSize for [T] {
    fn text_size(&self) -> usize {
        self.iter().map(T::text_size).sum()
    }
}

impl<T: TextSize> TextSize for Vec<T> {
    fn text_size(&self) -> usize {
        self.as_slice().text_size()
    }
}

impl<T: TextSize, E: TextSize> TextSize for Result<T, E> {
    fn text_size(&self) -> usize {
        match self {
            Ok(value) => value.text_size(),
            Err(error) => error.text_size(),
        }
    }
}

impl TextSize for w::Snapshot {
    fn text_size(&self) -> usize {
        self.tenant.len()
            + self.time_zone.len()
            + self.actor.id.len()
            + self.ticket.text_size()
            + self.history.text_size()
            + self.config.len()
    }
}

impl TextSize for w::Ticket {
    fn text_size(&self) -> usize {
        let customer = &self.customer;
        let product = self.product.as_ref().map_or(0, |p| {
            p.sku.text_size()
                + p.category.text_size()
                + p.model.text_size()
                + p.serial.text_size()
                + p.price.text_size()
                + p.purchase_date.text_size()
                + p.invoice_date.text_size()
        });
        self.id.len()
            + self.kind.len()
            + self.title.len()
            + self.description.len()
            + self.state.len()
            + self.assignee.text_size()
            + self.attributes.len()
            + customer.name.len()
            + customer.phone.text_size()
            + customer.email.text_size()
            + customer.address.text_size()
            + product
    }
}

impl TextSize for w::Event {
    fn text_size(&self) -> usize {
        16 + self.id.len() + self.actor.id.len() + self.kind.len() + self.data.len()
    }
}

impl TextSize for w::Effect {
    fn text_size(&self) -> usize {
        16 + match self {
            w::Effect::SetAttribute(a) => a.name.len() + a.value.len(),
            w::Effect::SetPriority(_) => 0,
            w::Effect::ScheduleTimer(t) => t.name.len() + t.payload.len(),
            w::Effect::CancelTimer(name) => name.len(),
            w::Effect::CreateTicket(f) => {
                f.kind.len()
                    + f.title.len()
                    + f.description.len()
                    + f.attributes.len()
                    + f.relation.len()
            }
            w::Effect::Notify(n) => n.template.len() + n.subject.len() + n.body.len(),
            w::Effect::AddNote(n) => n.body.len(),
            w::Effect::RequestTransition(t) => t.len(),
            w::Effect::Escalate(e) => e.reason.len(),
            w::Effect::ReservePart(p) => p.sku.len() + p.node.text_size(),
        }
    }
}

impl TextSize for w::Rejection {
    fn text_size(&self) -> usize {
        self.code.len() + self.message.len() + self.rule.text_size() + self.details.text_size()
    }
}

impl TextSize for w::ActionOutput {
    fn text_size(&self) -> usize {
        self.output.len() + self.effects.text_size()
    }
}

impl TextSize for w::PluginManifest {
    fn text_size(&self) -> usize {
        let kinds: usize = self
            .kinds
            .iter()
            .map(|k| {
                k.name.len()
                    + k.label.len()
                    + k.attributes_schema.len()
                    + k.workflow
                        .states
                        .iter()
                        .map(|s| s.name.len() + s.label.len())
                        .sum::<usize>()
                    + k.workflow
                        .transitions
                        .iter()
                        .map(|t| t.name.len() + t.label.len() + t.from.text_size())
                        .sum::<usize>()
            })
            .sum();
        let actions: usize = self
            .actions
            .iter()
            .map(|a| a.name.len() + a.label.len() + a.input_schema.len())
            .sum();
        self.name.len()
            + self.description.len()
            + self.config_schema.len()
            + self.default_config.len()
            + kinds
            + actions
    }
}
