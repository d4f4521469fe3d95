//! Questions: what shoppers asked about products, waiting for an answer first; answering
//! shows the question on the product page (and tells its author, who left an email), rejecting
//! keeps it out.

use crate::Ctx;
use crate::api;
use crate::format;
use crate::ui::{ErrorLine, More, Page, Paged};
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::questions::{
    AnswerUpdate, MerchantQuestion, MerchantQuestionPage, QuestionStatus,
};

impl Page for MerchantQuestionPage {
    type Item = MerchantQuestion;
    fn into_parts(self) -> (Vec<MerchantQuestion>, Option<String>) {
        (self.questions, self.next_cursor)
    }
}

#[component]
pub fn QuestionsPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let status = RwSignal::new("pending".to_owned());
    let product = RwSignal::new(String::new());
    let list = Paged::<MerchantQuestionPage>::new();
    let questions = list.items;

    let load = move || {
        let path = format!(
            "questions{}",
            api::query(&[
                ("status", status.get_untracked().as_str()),
                ("product", product.get_untracked().trim()),
            ])
        );
        list.load(ctx, path, move |shown| {
            ctx.say(
                ctx.words()
                    .questions_shown
                    .replace("{}", &shown.to_string()),
            );
        });
    };
    load();
    let replace = move |updated: MerchantQuestion| {
        let id = updated.id.clone();
        list.replace(move |q| q.id == id, updated);
    };

    let t = move || ctx.t();
    view! {
        <h1 tabindex="-1">{move || t().page_questions}</h1>
        <form class="filters" role="search" novalidate on:submit=move |ev| {
            ev.prevent_default();
            load();
        }>
            <label>{move || t().status}
                <select name="status" on:change=move |ev| { status.set(event_target_value(&ev)); load(); }
                    prop:value=move || status.get()>
                    <option value="pending">{move || t().question_waiting}</option>
                    <option value="published">{move || t().question_answered}</option>
                    <option value="rejected">{move || t().status_rejected}</option>
                    <option value="">{move || t().status_all}</option>
                </select>
            </label>
            <label>{move || t().product}
                <input type="text" name="product" maxlength="64" prop:value=move || product.get()
                    on:input=move |ev| product.set(event_target_value(&ev)) />
            </label>
            <button type="submit">{move || t().search_button}</button>
        </form>
        <ErrorLine error=list.error />
        <Show when=move || !list.loading.get() && questions.with(Vec::is_empty)>
            <p class="empty">{move || t().no_questions}</p>
        </Show>
        <ul class="reviews questions">
            <For
                each=move || questions.get()
                key=|q| (
                    q.id.clone(),
                    q.status.as_str(),
                    q.answer.as_ref().map(|a| (a.created_at, a.body.clone())),
                )
                children=move |question| view! { <QuestionItem question=question on_change=replace /> }
            />
        </ul>
        <More next=list.next loading=list.loading on_more=move || list.more(ctx) />
    }
}

fn status_word(t: &crate::i18n::Strings, status: QuestionStatus) -> &'static str {
    match status {
        QuestionStatus::Pending => t.question_waiting,
        QuestionStatus::Published => t.question_answered,
        QuestionStatus::Rejected => t.status_rejected,
    }
}

fn heading_of(question: &str) -> String {
    format!("question-{question}")
}

#[component]
fn QuestionItem(
    question: MerchantQuestion,
    on_change: impl Fn(MerchantQuestion) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let id = question.id.clone();
    let answering = RwSignal::new(question.answer.is_none());
    let answer_text = RwSignal::new(
        question
            .answer
            .as_ref()
            .map(|a| a.body.clone())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let heading_id = heading_of(&question.id);
    let labelled_by = heading_id.clone();
    let text_lang = question.locale.clone().unwrap_or_default();
    let status = question.status;
    let created = question.created_at;
    let has_answer = question.answer.is_some();

    let act = move |method: &'static str, action: &'static str, body: serde_json::Value| {
        let id = id.clone();
        pending.set(true);
        spawn_local(async move {
            let path = format!("questions/{}/{action}", api::segment(&id));
            match ctx
                .client()
                .send::<MerchantQuestion>(method, &path, &body)
                .await
            {
                Ok(q) => {
                    error.set(None);
                    let t = ctx.words();
                    ctx.say(if action == "reject" {
                        t.rejected
                    } else {
                        t.answer_saved
                    });
                    on_change(q);
                    crate::ui::focus_after_drawing(heading_of(&id));
                }
                Err(f) => error.set(Some(ctx.explain(&f))),
            }
            pending.set(false);
        });
    };
    let act_answer = act.clone();
    view! {
        <li class="review question" aria-labelledby=labelled_by>
            <div class="content">
                <h2 id=heading_id class="title" tabindex="-1">
                    <span lang=text_lang.clone()>{question.body.clone()}</span>
                </h2>
                <p class="meta">
                    <span class=format!("badge {}", status.as_str())>{move || status_word(t(), status)}</span>
                    {question.hold_reason.clone().map(|h| view! { " " <span class="badge hold">{move || crate::reviews::hold_word(t(), &h)}</span> })}
                    " " {question.author.clone()}
                    {question.notify.then(|| view! { " · " <span>{move || t().question_notify}</span> })}
                    " · " <span class="product">{question.product.clone()}</span>
                    " · " {move || format::date_time(ctx.lang.get(), created)}
                    {(question.helpful > 0).then(|| { let n = question.helpful; view! { " · " {move || t().question_helpful.replace("{}", &n.to_string())} } })}
                </p>
                {question.answer.clone().map(|a| view! {
                    <div class="reply">
                        <p class="muted">{move || t().your_answer}</p>
                        <p>{a.body}</p>
                    </div>
                })}
                {(status != QuestionStatus::Rejected).then(|| view! {
                    <div class="actions">
                        <button type="button" class="secondary" aria-expanded=move || answering.get().to_string()
                            on:click=move |_| answering.update(|a| *a = !*a)>
                            {move || if has_answer { t().edit_answer } else { t().answer }}
                        </button>
                        <button type="button" class="danger" disabled=move || pending.get()
                            on:click={ let act = act.clone(); move |_| act("POST", "reject", serde_json::json!({})) }>
                            {move || t().reject_question}
                        </button>
                    </div>
                    <Show when=move || answering.get()>
                        <form class="inline" novalidate on:submit={ let act = act_answer.clone(); move |ev| {
                            ev.prevent_default();
                            let body = AnswerUpdate { body: Some(answer_text.get_untracked()) };
                            if let Err(errors) = body.validate() {
                                let problems: Vec<String> = errors.0.iter().map(|(_, p)| p.to_string()).collect();
                                error.set(Some(problems.join("; ")));
                                return;
                            }
                            act("PUT", "answer", serde_json::json!({ "body": body.body }));
                        } }>
                            <label>{move || t().your_answer}
                                <textarea name="answer" rows="3" maxlength="3000" prop:value=move || answer_text.get()
                                    on:input=move |ev| answer_text.set(event_target_value(&ev))></textarea>
                            </label>
                            <button type="submit" disabled=move || pending.get()>{move || t().save_answer}</button>
                        </form>
                    </Show>
                })}
                <ErrorLine error=error />
            </div>
        </li>
    }
}
