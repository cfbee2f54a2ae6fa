// A `local` actor: state that is not `Send`, async handlers, results, a high handler, a
// generic one; spawned through `Local`, its handle `Send`.

use std::cell::RefCell;
use std::rc::Rc;

use aplay::Local;
use aplay::prelude::*;

#[actor(local)]
struct Page {
    lines: Rc<RefCell<Vec<String>>>,
}

#[actor(local)]
impl Page {
    fn write(&mut self, line: String) {
        self.lines.borrow_mut().push(line);
    }
    async fn len(&self) -> usize {
        self.lines.borrow().len()
    }
    fn first(&self) -> Result<String, std::fmt::Error> {
        self.lines.borrow().first().cloned().ok_or(std::fmt::Error)
    }
    #[handler(priority = high)]
    fn clear(&mut self) {
        self.lines.borrow_mut().clear();
    }
}

struct Cell<T: 'static> {
    value: Rc<RefCell<Option<T>>>,
}

#[actor(local)]
impl<T: Clone + Send + 'static> Cell<T> {
    fn set(&mut self, value: T) {
        *self.value.borrow_mut() = Some(value);
    }
    fn get(&self) -> Option<T> {
        self.value.borrow().clone()
    }
}

fn assert_send<T: Send + Sync>(_: &T) {}

async fn calls(system: System) -> Result<(), Error> {
    let page: ActorRef<Local<Page>> = system
        .spawn("page", Local::new(|| Page { lines: Rc::default() }))
        .await?;
    assert_send(&page);
    page.write("a".into()).await?;
    let _: usize = page.len().await?;
    let _: Result<String, std::fmt::Error> = page.first().await?;
    page.clear().await?;
    let cell = system
        .spawn("cell", Local::new(|| Cell::<u8> { value: Rc::default() }))
        .await?;
    cell.set(1).await?;
    let _: Option<u8> = cell.get().await?;
    Ok(())
}

fn main() {
    let _ = calls;
}
